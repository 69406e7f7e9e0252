package dev.gatehouse.identity;

import java.net.URI;
import java.util.Objects;

/**
 * The parts of an OIDC discovery document the gateway uses. Endpoints other than {@code jwksUri} may be null when the
 * provider does not offer them.
 */
public record OidcMetadata(String issuer, URI jwksUri, URI authorizationEndpoint, URI tokenEndpoint,
    URI endSessionEndpoint) {

  public OidcMetadata {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(jwksUri, "jwksUri");
  }
}
