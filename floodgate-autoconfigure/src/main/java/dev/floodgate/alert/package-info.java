/**
 * Alerts: webhooks notified of every block and ban, off the request thread.
 */
@NullMarked
package dev.floodgate.alert;

import org.jspecify.annotations.NullMarked;
