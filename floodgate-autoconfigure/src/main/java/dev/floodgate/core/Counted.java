package dev.floodgate.core;

/**
 * What a store's count-or-refuse step answers for one request: either a final
 * {@link Decision} (the request was admitted and counted, or no limit applies), or a
 * {@link Refusal} that the rules still have to decide (a violation, a block, a ban). A
 * {@link Decision} is itself the answer, so that an admitted request costs no extra object.
 */
public interface Counted {

}
