package dev.floodgate.sample;

import java.net.URI;
import java.util.Locale;

import dev.floodgate.RateLimited;
import dev.floodgate.sample.LinkStore.Link;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * Creates short links (strictly limited), shows them and redirects (the default limit).
 */
@RestController
public class LinkController {

	private final LinkStore links;

	public LinkController(LinkStore links) {
		this.links = links;
	}

	/**
	 * Creates a short link: the expensive, abusable operation, so it has its own stricter
	 * limit.
	 * @param request the target URL
	 * @return the link
	 */
	@PostMapping("/api/links")
	@RateLimited(value = "5/minute;50/day", name = "create-link")
	public ResponseEntity<LinkView> create(@Valid @RequestBody CreateLink request) {
		URI target = parseTarget(request.url());
		Link link = this.links.create(target);
		URI location = ServletUriComponentsBuilder.fromCurrentContextPath()
			.path("/api/links/{code}")
			.buildAndExpand(link.code())
			.toUri();
		return ResponseEntity.created(location).body(view(link));
	}

	/**
	 * Shows one link.
	 * @param code its code
	 * @return the link
	 */
	@GetMapping("/api/links/{code}")
	public LinkView show(@PathVariable String code) {
		return view(find(code));
	}

	/**
	 * Redirects to a link's target.
	 * @param code its code
	 * @return a redirect
	 */
	@GetMapping("/{code:[a-zA-Z0-9]{7}}")
	public ResponseEntity<Void> redirect(@PathVariable String code) {
		return ResponseEntity.status(HttpStatus.FOUND).location(find(code).target()).build();
	}

	private Link find(String code) {
		return this.links.find(code)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No link with code " + code));
	}

	private static URI parseTarget(String url) {
		try {
			URI uri = URI.create(url.trim());
			String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
			if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
				return uri;
			}
		}
		catch (IllegalArgumentException ex) {
			// answered below
		}
		throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "url must be an absolute http(s) URL");
	}

	private static LinkView view(Link link) {
		String shortUrl = ServletUriComponentsBuilder.fromCurrentContextPath().path("/{code}").buildAndExpand(link.code())
			.toUriString();
		return new LinkView(link.code(), shortUrl, link.target().toString());
	}

	/**
	 * A request to shorten a URL.
	 *
	 * @param url the URL to shorten
	 */
	public record CreateLink(@NotBlank String url) {
	}

	/**
	 * A short link as shown to clients.
	 *
	 * @param code the code
	 * @param shortUrl the short URL
	 * @param target where it leads
	 */
	public record LinkView(String code, String shortUrl, String target) {
	}

}
