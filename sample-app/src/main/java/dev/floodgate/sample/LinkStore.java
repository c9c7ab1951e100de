package dev.floodgate.sample;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Short links, kept in memory.
 */
@Component
public class LinkStore {

	private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

	private final SecureRandom random = new SecureRandom();

	private final Map<String, Link> links = new ConcurrentHashMap<>();

	public Link create(URI target) {
		while (true) {
			char[] code = new char[7];
			for (int i = 0; i < code.length; i++) {
				code[i] = ALPHABET[this.random.nextInt(ALPHABET.length)];
			}
			Link link = new Link(new String(code), target);
			if (this.links.putIfAbsent(link.code(), link) == null) {
				return link;
			}
		}
	}

	public Optional<Link> find(String code) {
		return Optional.ofNullable(this.links.get(code));
	}

	/**
	 * A short link.
	 *
	 * @param code its code
	 * @param target where it leads
	 */
	public record Link(String code, URI target) {
	}

}
