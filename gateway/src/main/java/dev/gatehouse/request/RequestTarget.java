package dev.gatehouse.request;

/**
 * The request target after normalization: the host the request is for, the canonical decoded path that the
 * policy judges, the same path encoded canonically for the upstream, and the raw query.
 *
 * @param host lower-case host name without port or trailing dot
 * @param path canonical decoded path: starts with '/', no dot segments, no empty segments
 * @param encodedPath {@code path} percent-encoded canonically; decoding it yields exactly {@code path}
 * @param query the raw query string without '?', or null when the target had none
 */
public record RequestTarget(String host, String path, String encodedPath, String query) {

  /** The target as sent to the upstream: encoded path plus query. */
  public String upstreamUri() {
    return query == null ? encodedPath : encodedPath + '?' + query;
  }
}
