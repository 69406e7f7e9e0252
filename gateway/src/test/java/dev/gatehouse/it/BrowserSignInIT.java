package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.identity.CookieSealer;
import dev.gatehouse.identity.Session;
import dev.gatehouse.identity.SessionCodec;
import dev.gatehouse.identity.SessionKeyStore;
import dev.gatehouse.testing.HttpBrowser;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import dev.gatehouse.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Browser sign-in at the HTTP level, against the real gateway and a real OIDC provider: every step of the code flow,
 * what is refused (state, PKCE, nonce, audience, azp, tampered or expired cookies), refresh (coalesced), cookie
 * splitting, step-up, the 403 page and sign-out. {@code BrowserIT} does the main journeys in a real browser.
 */
class BrowserSignInIT {

  static final String CLIENT_ID = "gatehouse-web";

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static MutableClock clock = new MutableClock();
  static TestGateway gateway;
  static String origin;

  HttpBrowser browser;

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start("test", clock);
    Path secret = Files.createTempFile(TestPki.directory(), "client-secret", ".txt");
    Files.writeString(secret, "s3cret-from-a-file\n");
    gateway = TestGateway.builder().idp(idp).upstream(upstream).clock(clock).policy("saas.yaml", Policies.SAAS)
        .browser(CLIENT_ID, "clientSecret: file:" + secret + "\nsession:\n  idleTimeout: 30m\n  absoluteTimeout: 2h\n"
            + "  refreshBefore: 1m")
        .start();
    origin = "https://localhost:" + gateway.port();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.close();
    upstream.close();
    upstreamVertx.close();
  }

  @BeforeEach
  void freshBrowser() {
    clock.reset();
    browser = new HttpBrowser();
    upstream.drain();
    gateway.newEvents();
  }

  static Map<String, Object> alice() {
    return Map.of("email", "alice@example.com", "groups", List.of("finance", "support"), "tenant", "acme",
        "amr", List.of("pwd"));
  }

  /** Signs {@code subject} in through {@code path} and returns the page the browser ends on. */
  HttpBrowser.Page signIn(String subject, Map<String, Object> claims, String path) {
    idp.nextUser(subject, claims);
    return browser.open(origin + path);
  }

  @Test
  void aNavigationSignsInAndTheAppSeesTheIdentity() {
    idp.nextUser("alice", alice());

    HttpBrowser.Page toIdp = browser.navigate(origin + "/allowed/page?tab=2");

    assertThat(toIdp.status()).isEqualTo(302);
    assertThat(toIdp.location()).startsWith(idp.issuer() + "/authorize?");
    Map<String, String> params = toIdp.locationParams();
    assertThat(params).containsEntry("response_type", "code").containsEntry("client_id", CLIENT_ID)
        .containsEntry("redirect_uri", origin + "/.gatehouse/callback").containsEntry("scope", "openid email profile")
        .containsEntry("code_challenge_method", "S256").doesNotContainKeys("prompt", "acr_values", "max_age");
    assertThat(params.get("state")).matches("[A-Za-z0-9_-]{22}");
    assertThat(params.get("nonce")).matches("[A-Za-z0-9_-]{22}");
    assertThat(params.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
    assertThat(toIdp.header("cache-control")).isEqualTo("no-store");
    assertThat(toIdp.setCookies()).singleElement().asString()
        .startsWith("__Host-gatehouse-signin=").endsWith("; Max-Age=600; Path=/; Secure; HttpOnly; SameSite=Lax");

    HttpBrowser.Page toCallback = browser.follow(toIdp);
    assertThat(toCallback.status()).isEqualTo(302);
    assertThat(toCallback.location()).startsWith(origin + "/.gatehouse/callback?code=");

    HttpBrowser.Page back = browser.follow(toCallback);
    assertThat(back.status()).isEqualTo(302);
    assertThat(back.location()).isEqualTo("/allowed/page?tab=2");
    assertThat(back.setCookies()).anySatisfy(c -> assertThat(c).startsWith("__Host-gatehouse-session=")
        .endsWith("; Max-Age=7200; Path=/; Secure; HttpOnly; SameSite=Lax"));
    assertThat(back.setCookies()).contains("__Host-gatehouse-signin=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");

    browser.setCookie("theme", "dark");
    HttpBrowser.Page page = browser.follow(back);
    assertThat(page.status()).isEqualTo(200);
    RecordingUpstream.Received received = upstream.take();
    assertThat(received.uri()).isEqualTo("/allowed/page?tab=2");
    assertThat(received.headers().get("X-Forwarded-User")).isEqualTo("alice");
    assertThat(received.headers().get("X-Forwarded-Email")).isEqualTo("alice@example.com");
    assertThat(received.headers().get("X-Forwarded-Groups")).isEqualTo("finance,support");
    assertThat(received.headers().get("X-Gatehouse-Assertion")).isNotNull();
    assertThat(received.headers().getAll("Cookie")).as("the session cookie never reaches the app")
        .containsExactly("theme=dark");

    List<JsonObject> events = gateway.newEvents();
    assertThat(events).hasSize(3);
    assertThat(events.get(0).getString("reason")).isEqualTo("credential-missing");
    assertThat(events.get(0).getInteger("status")).isEqualTo(302);
    JsonObject callback = events.get(1);
    assertThat(callback.getString("path")).isEqualTo("/.gatehouse/callback");
    assertThat(callback.getString("query")).isEqualTo("code=[REDACTED]&state=[REDACTED]");
    assertThat(callback.getString("reason")).isEqualTo("signed-in");
    assertThat(callback.getString("auth_method")).isEqualTo("session");
    assertThat(callback.getString("subject")).isEqualTo("alice");
    assertThat(events.get(2).getString("auth_method")).isEqualTo("session");
    assertThat(events.get(2).getString("subject")).isEqualTo("alice");
    assertThat(events.get(2).getString("decision")).isEqualTo("allow");
    assertThat(events.toString()).doesNotContain(browser.cookie("__Host-gatehouse-session"));
  }

  @Test
  void requestsThatAreNotNavigationsGet401NeverARedirect() {
    assertThat(browser.get(origin + "/allowed/x", Map.of("Accept", "application/json")).status()).isEqualTo(401);
    HttpBrowser.Page fetch = browser.get(origin + "/allowed/x", Map.of("Accept", "text/html", "Sec-Fetch-Mode", "cors"));
    assertThat(fetch.status()).isEqualTo(401);
    assertThat(fetch.header("www-authenticate")).isEqualTo("Bearer realm=\"gatehouse-test\"");
    assertThat(new JsonObject(fetch.body()).getString("reason")).isEqualTo("credential-missing");
    assertThat(browser.get(origin + "/allowed/x", Map.of("Accept", "text/html", "X-Requested-With", "XMLHttpRequest"))
        .status()).isEqualTo(401);
    assertThat(browser.send("POST", origin + "/allowed/x", Map.of("Accept", "text/html"), "a=b").status())
        .isEqualTo(401);
    assertThat(browser.cookies()).isEmpty();
    assertThat(gateway.newEvents()).hasSize(4).allSatisfy(e -> assertThat(e.getInteger("status")).isEqualTo(401));
  }

  @Test
  void aTamperedSessionCookieIsNeverASession() {
    signIn("alice", alice(), "/allowed/");
    String sealed = browser.cookie("__Host-gatehouse-session");
    int middle = sealed.length() / 2;
    char flipped = sealed.charAt(middle) == 'A' ? 'B' : 'A';
    browser.setCookie("__Host-gatehouse-session", sealed.substring(0, middle) + flipped + sealed.substring(middle + 1));

    HttpBrowser.Page api = browser.get(origin + "/allowed/x", Map.of("Accept", "application/json"));
    assertThat(api.status()).isEqualTo(401);
    assertThat(new JsonObject(api.body()).getString("reason")).isEqualTo("session-invalid");
    assertThat(api.setCookies()).containsExactly("__Host-gatehouse-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");

    browser.setCookie("__Host-gatehouse-session", sealed.substring(0, sealed.length() - 3));
    HttpBrowser.Page page = browser.navigate(origin + "/allowed/x");
    assertThat(page.status()).as("a navigation with a broken cookie starts a new sign-in").isEqualTo(302);
    assertThat(page.location()).startsWith(idp.issuer() + "/authorize?");
    assertThat(upstream.drain()).hasSize(1);
  }

  @Test
  void aCookieSealedWithAForeignKeyIsRefused() {
    Instant now = clock.instant();
    Session forged = new Session("sid", idp.issuer(), "mallory", "mallory@example.com", Set.of("admins", "finance"),
        "acme", List.of("otp"), null, now, Map.of(), now, now, null, null, null, null);
    String sealed = new SessionCodec(new CookieSealer(SessionKeyStore.generated()), Duration.ofHours(1),
        Duration.ofHours(2), clock).encode(forged);
    browser.setCookie("__Host-gatehouse-session", sealed);

    HttpBrowser.Page api = browser.get(origin + "/billing/x", Map.of("Accept", "application/json"));

    assertThat(api.status()).isEqualTo(401);
    assertThat(new JsonObject(api.body()).getString("reason")).isEqualTo("session-invalid");
    assertThat(upstream.drain()).isEmpty();
  }

  @Test
  void anIdleSessionExpiresAndSoDoesABusyOneAfterItsAbsoluteLifetime() {
    signIn("alice", alice(), "/allowed/");
    clock.advance(Duration.ofMinutes(31));
    HttpBrowser.Page idle = browser.get(origin + "/allowed/x", Map.of("Accept", "application/json"));
    assertThat(idle.status()).isEqualTo(401);
    assertThat(new JsonObject(idle.body()).getString("reason")).isEqualTo("session-expired");

    clock.reset();
    browser = new HttpBrowser();
    signIn("alice", alice(), "/allowed/");
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMinutes(25));
      assertThat(browser.get(origin + "/allowed/x", Map.of("Accept", "application/json")).status())
          .as("used every 25 minutes, at minute " + (i + 1) * 25).isEqualTo(200);
    }
    clock.advance(Duration.ofMinutes(25));
    HttpBrowser.Page old = browser.get(origin + "/allowed/x", Map.of("Accept", "application/json"));
    assertThat(old.status()).as("at minute 125, past the absolute lifetime of 2h").isEqualTo(401);
    assertThat(new JsonObject(old.body()).getString("reason")).isEqualTo("session-expired");
  }

  @Test
  void aCraftedOrUnknownStateIsRefusedWithAPage() {
    HttpBrowser.Page toIdp = browser.navigate(origin + "/allowed/");
    String code = new HttpBrowser().navigate(toIdp.location()).locationParams().get("code");

    HttpBrowser.Page crafted = browser.navigate(origin + "/.gatehouse/callback?code=" + code + "&state=made-up");

    assertThat(crafted.status()).isEqualTo(400);
    assertThat(crafted.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(crafted.body()).contains("This sign-in link has expired, was already used, or was started in another browser.");
    assertThat(browser.cookie("__Host-gatehouse-session")).isNull();

    HttpBrowser stranger = new HttpBrowser();
    HttpBrowser.Page withoutCookie = stranger.navigate(origin + "/.gatehouse/callback?code=" + code + "&state="
        + toIdp.locationParams().get("state"));
    assertThat(withoutCookie.status()).as("the state is bound to the browser that started the sign-in").isEqualTo(400);
    assertThat(stranger.cookie("__Host-gatehouse-session")).isNull();
  }

  @Test
  void theReturnPathIsTheOneTheGatewayRecordedNeverOneFromTheCallback() {
    idp.nextUser("alice", alice());
    HttpBrowser.Page toIdp = browser.navigate(origin + "/allowed/a?next=https://evil.example/");
    HttpBrowser.Page toCallback = browser.follow(toIdp);

    HttpBrowser.Page back = browser.navigate(toCallback.location()
        + "&return_to=https://evil.example/&redirect_uri=https://evil.example/&next=//evil.example");

    assertThat(back.status()).isEqualTo(302);
    assertThat(back.location()).isEqualTo("/allowed/a?next=https://evil.example/");
    assertThat(URI.create(origin).resolve(back.location()).getHost()).isEqualTo("localhost");
  }

  @Test
  void aCodeIsBoundToItsSignInByPkce() {
    HttpBrowser.Page first = browser.navigate(origin + "/allowed/1");
    HttpBrowser.Page second = browser.navigate(origin + "/allowed/2");
    idp.nextUser("alice", alice());
    String codeOfFirst = new HttpBrowser().navigate(first.location()).locationParams().get("code");

    HttpBrowser.Page swapped = browser.navigate(origin + "/.gatehouse/callback?code=" + codeOfFirst + "&state="
        + second.locationParams().get("state"));

    assertThat(swapped.status()).isEqualTo(400);
    assertThat(browser.cookie("__Host-gatehouse-session")).isNull();
    assertThat(gateway.newEvents()).last().satisfies(e -> {
      assertThat(e.getString("reason")).isEqualTo("sign-in-failed");
      assertThat(e.getString("detail")).isEqualTo("the provider did not accept the code: the provider refused: invalid_grant");
    });
  }

  @Test
  void theIdTokenMustCarryTheNonceOfTheSignIn() {
    HttpBrowser.Page toIdp = browser.navigate(origin + "/allowed/");
    Map<String, String> p = toIdp.locationParams();
    idp.nextUser("alice", alice());
    // the provider is asked with this sign-in's state and PKCE challenge, but another nonce
    String otherNonce = toIdp.location().replace("nonce=" + p.get("nonce"), "nonce=another-nonce");
    HttpBrowser.Page toCallback = new HttpBrowser().navigate(otherNonce);

    HttpBrowser.Page back = browser.follow(toCallback);

    assertThat(back.status()).isEqualTo(400);
    assertThat(browser.cookie("__Host-gatehouse-session")).isNull();
    assertThat(gateway.newEvents()).last().extracting(e -> e.getString("detail"))
        .isEqualTo("the ID token's nonce does not match the sign-in");
  }

  @Test
  void anIdTokenIssuedToAnotherClientIsRefused() {
    Map<String, String> details = new java.util.LinkedHashMap<>();
    List<Map<String, Object>> cases = List.of(
        Map.of("aud", List.of("other-client")),
        Map.of("aud", List.of(CLIENT_ID, "other-client"), "azp", "other-client"),
        Map.of("aud", List.of(CLIENT_ID, "other-client")),
        Map.of("azp", "other-client"));
    for (Map<String, Object> claims : cases) {
      browser = new HttpBrowser();
      HttpBrowser.Page end = signIn("alice", claims, "/allowed/");
      assertThat(end.status()).as(claims.toString()).isEqualTo(400);
      assertThat(browser.cookie("__Host-gatehouse-session")).isNull();
      details.put(claims.toString(), gateway.newEvents().stream().filter(e -> "sign-in-failed".equals(e.getString("reason")))
          .findFirst().orElseThrow().getString("detail"));
    }
    assertThat(details.values()).containsExactly(
        "the ID token was not issued to this gateway (aud)",
        "the ID token was issued to another client (azp)",
        "the ID token has several audiences but no azp",
        "the ID token was issued to another client (azp)");
  }

  @Test
  void aSignedInUserWithoutPermissionSeesWhoTheyAreAndWhatIsNeeded() {
    signIn("alice", Map.of("email", "<b>alice</b>@example.com", "groups", List.of("finance")), "/allowed/");

    HttpBrowser.Page page = browser.navigate(origin + "/forbidden/settings");

    assertThat(page.status()).isEqualTo(403);
    assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.header("cache-control")).isEqualTo("no-store");
    assertThat(page.header("content-security-policy")).startsWith("default-src 'none'; style-src 'sha256-")
        .endsWith("'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assertThat(page.body())
        .contains("You are signed in as &lt;b&gt;alice&lt;/b&gt;@example.com (alice).")
        .contains("This page requires permission [app_settings] (permission-missing), rule allow[0], on route forbidden.")
        .contains("<code>" + page.requestId() + "</code>")
        .contains("<a href=\"/.gatehouse/logout\">Sign out</a>")
        .doesNotContain("<b>alice</b>");
    HttpBrowser.Page api = browser.get(origin + "/forbidden/settings", Map.of("Accept", "application/json"));
    assertThat(api.status()).isEqualTo(403);
    assertThat(new JsonObject(api.body()).getString("reason")).isEqualTo("permission-missing");
  }

  @Test
  void aSessionWithoutMfaStepsUpAtTheProviderThenPasses() {
    signIn("carol", Map.of("groups", List.of("admins"), "amr", List.of("pwd")), "/allowed/");

    HttpBrowser.Page stepUp = browser.navigate(origin + "/settings/smtp");

    assertThat(stepUp.status()).isEqualTo(302);
    assertThat(stepUp.locationParams()).containsEntry("prompt", "login").doesNotContainKeys("acr_values", "max_age");
    assertThat(gateway.newEvents()).last().satisfies(e -> {
      assertThat(e.getString("decision")).isEqualTo("step-up");
      assertThat(e.getString("reason")).isEqualTo("mfa-required");
      assertThat(e.getInteger("status")).isEqualTo(302);
    });
    HttpBrowser.Page login = browser.follow(stepUp);
    assertThat(login.status()).as("prompt=login shows the provider's login page").isEqualTo(200);
    idp.nextUser("carol", Map.of("groups", List.of("admins"), "amr", List.of("pwd", "otp")));
    HttpBrowser.Page submitted = browser.send("POST", stepUp.location(), Map.of(), "username=carol&claims=");
    HttpBrowser.Page end = browser.followAll(submitted, new ArrayList<>());

    assertThat(end.status()).isEqualTo(200);
    assertThat(upstream.drain()).last().satisfies(r -> assertThat(r.uri()).isEqualTo("/settings/smtp"));
  }

  @Test
  void aStepUpThatDoesNotBringMfaEndsInAPageNotALoop() {
    signIn("carol", Map.of("groups", List.of("admins"), "amr", List.of("pwd")), "/allowed/");
    HttpBrowser.Page stepUp = browser.navigate(origin + "/settings/smtp");
    browser.follow(stepUp);
    idp.nextUser("carol", Map.of("groups", List.of("admins"), "amr", List.of("pwd")));
    HttpBrowser.Page back = browser.followAll(browser.send("POST", stepUp.location(), Map.of(), "username=carol"),
        new ArrayList<>());

    assertThat(back.status()).isEqualTo(401);
    assertThat(back.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(back.body()).contains("requires multi-factor authentication");
    assertThat(upstream.drain()).hasSize(1);
  }

  @Test
  void tokensAreRefreshedBeforeTheyExpireWithTheProvidersNewFacts() {
    idp.nextUser("alice", alice(), 600);
    browser.open(origin + "/allowed/");
    long before = gateway.gateway().sessionRefreshes();
    upstream.drain();

    clock.advance(Duration.ofMinutes(9).plusSeconds(1));
    idp.nextUser("alice", Map.of("email", "alice@example.com", "groups", List.of("finance", "auditors")), 600);
    HttpBrowser.Page page = browser.get(origin + "/allowed/x", Map.of("Accept", "application/json"));

    assertThat(page.status()).isEqualTo(200);
    assertThat(gateway.gateway().sessionRefreshes()).isEqualTo(before + 1);
    assertThat(page.setCookies()).singleElement().asString().startsWith("__Host-gatehouse-session=");
    assertThat(upstream.take().headers().get("X-Forwarded-Groups")).isEqualTo("auditors,finance");
  }

  @Test
  void parallelRequestsOfOneSessionShareOneRefresh() throws Exception {
    idp.nextUser("alice", alice(), 600);
    browser.open(origin + "/allowed/");
    long before = gateway.gateway().sessionRefreshes();
    clock.advance(Duration.ofMinutes(9).plusSeconds(30));

    List<CompletableFuture<Integer>> requests = IntStream.range(0, 8)
        .mapToObj(i -> CompletableFuture.supplyAsync(() ->
            browser.get(origin + "/allowed/" + i, Map.of("Accept", "application/json")).status()))
        .toList();

    for (CompletableFuture<Integer> r : requests) {
      assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    }
    assertThat(gateway.gateway().sessionRefreshes()).isEqualTo(before + 1);
    // a request that still carries the old cookie a moment later gets the same result, not a second refresh
    assertThat(browser.get(origin + "/allowed/late", Map.of("Accept", "application/json")).status()).isEqualTo(200);
    assertThat(gateway.gateway().sessionRefreshes()).isEqualTo(before + 1);
  }

  @Test
  void aRefreshTheProviderRefusesEndsTheSession() {
    idp.nextUser("alice", alice(), 600);
    browser.open(origin + "/allowed/");
    clock.advance(Duration.ofMinutes(9).plusSeconds(30));
    idp.refuseNextTokenRequest();

    HttpBrowser.Page api = browser.get(origin + "/allowed/x", Map.of("Accept", "application/json"));

    assertThat(api.status()).isEqualTo(401);
    assertThat(new JsonObject(api.body()).getString("reason")).isEqualTo("session-expired");
    assertThat(api.setCookies()).containsExactly("__Host-gatehouse-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(browser.navigate(origin + "/allowed/x").location()).startsWith(idp.issuer() + "/authorize?");
  }

  @Test
  void aLargeSessionIsSplitOverCookiesAndATooLargeOneIsRefusedClearly() {
    List<String> many = IntStream.range(0, 300).mapToObj(i -> String.format("department-group-%04d", i)).toList();
    HttpBrowser.Page page = signIn("alice", Map.of("groups", many), "/allowed/");

    assertThat(page.status()).isEqualTo(200);
    assertThat(browser.cookies().keySet()).contains("__Host-gatehouse-session-1", "__Host-gatehouse-session-2")
        .doesNotContain("__Host-gatehouse-session");
    assertThat(browser.cookies().values()).allMatch(v -> v.length() <= 3800);
    assertThat(upstream.drain()).last().satisfies(r ->
        assertThat(r.headers().get("X-Forwarded-Groups").split(",")).hasSize(300));

    browser = new HttpBrowser();
    List<String> tooMany = IntStream.range(0, 450).mapToObj(i -> String.format("department-group-%04d", i)).toList();
    HttpBrowser.Page refused = signIn("alice", Map.of("groups", tooMany), "/allowed/");
    assertThat(refused.status()).isEqualTo(500);
    assertThat(refused.body()).contains("more groups or attributes than a browser session can hold");
    assertThat(browser.cookies().keySet()).noneMatch(n -> n.startsWith("__Host-gatehouse-session"));
    assertThat(gateway.newEvents()).last().extracting(e -> e.getString("reason")).isEqualTo("session-too-large");
  }

  @Test
  void signOutEndsTheSessionAndContinuesToTheProvider() {
    signIn("alice", alice(), "/allowed/");
    gateway.newEvents();

    HttpBrowser.Page logout = browser.navigate(origin + "/.gatehouse/logout");

    assertThat(logout.status()).isEqualTo(302);
    assertThat(logout.location()).isEqualTo(idp.issuer() + "/endsession?client_id=" + CLIENT_ID
        + "&post_logout_redirect_uri=" + java.net.URLEncoder.encode(origin + "/.gatehouse/signed-out",
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(logout.setCookies()).contains("__Host-gatehouse-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
    assertThat(browser.cookie("__Host-gatehouse-session")).isNull();
    HttpBrowser.Page signedOut = browser.followAll(logout, new ArrayList<>());
    assertThat(signedOut.status()).isEqualTo(200);
    assertThat(signedOut.body()).contains("You are signed out.");
    assertThat(browser.navigate(origin + "/allowed/x").location()).startsWith(idp.issuer() + "/authorize?");
    List<JsonObject> events = gateway.newEvents();
    assertThat(events).extracting(e -> e.getString("reason")).containsExactly("signed-out", "public-route",
        "credential-missing");
    assertThat(events.get(0).getString("subject")).isEqualTo("alice");
  }

  @Test
  void anotherSiteCannotSignThePersonOutWithoutAsking() {
    signIn("alice", alice(), "/allowed/");
    String session = browser.cookie("__Host-gatehouse-session");
    gateway.newEvents();

    HttpBrowser.Page linked = browser.get(origin + "/.gatehouse/logout", Map.of("Accept", "text/html",
        "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"));
    HttpBrowser.Page posted = browser.send("POST", origin + "/.gatehouse/logout", Map.of("Accept", "text/html",
        "Origin", "https://evil.example"), "");

    for (HttpBrowser.Page page : List.of(linked, posted)) {
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.setCookies()).isEmpty();
      assertThat(page.body()).contains("<form method=\"post\" action=\"/.gatehouse/logout\">")
          .contains("<button type=\"submit\">Sign out</button>");
      assertThat(page.header("Content-Security-Policy")).contains("form-action 'self'");
    }
    assertThat(browser.cookie("__Host-gatehouse-session")).isEqualTo(session);
    assertThat(browser.navigate(origin + "/allowed/x").status()).isEqualTo(200);
    upstream.take();
    assertThat(gateway.newEvents()).extracting(e -> e.getString("reason"))
        .containsExactly("sign-out-confirmation", "sign-out-confirmation", "allowed");

    HttpBrowser.Page confirmed = browser.send("POST", origin + "/.gatehouse/logout", Map.of("Accept", "text/html",
        "Origin", origin, "Sec-Fetch-Site", "same-origin"), "");

    assertThat(confirmed.status()).isEqualTo(302);
    assertThat(browser.cookie("__Host-gatehouse-session")).isNull();
  }

  @Test
  void aBadBearerTokenNeverFallsThroughToTheSessionCookie() {
    signIn("alice", alice(), "/allowed/");

    HttpBrowser.Page page = browser.get(origin + "/allowed/x", Map.of("Authorization", "Bearer not.a.token"));

    assertThat(page.status()).isEqualTo(401);
    assertThat(new JsonObject(page.body()).getString("reason")).isEqualTo("token-invalid");
  }

  @Test
  void theSamePolicyJudgesBearerTokensAndTheAccessEventSaysWhichWasUsed() {
    String token = idp.token("bob", Map.of("groups", List.of("finance")));
    HttpBrowser.Page page = browser.get(origin + "/billing/x", Map.of("Authorization", "Bearer " + token));
    assertThat(page.status()).isEqualTo(200);
    assertThat(gateway.newEvents()).last().extracting(e -> e.getString("auth_method")).isEqualTo("bearer");
  }
}
