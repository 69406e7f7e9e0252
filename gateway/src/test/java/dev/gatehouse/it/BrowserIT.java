package dev.gatehouse.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.identity.CookieSealer;
import dev.gatehouse.identity.Session;
import dev.gatehouse.identity.SessionCodec;
import dev.gatehouse.identity.SessionKeyStore;
import dev.gatehouse.testing.Chromium;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingUpstream;
import dev.gatehouse.testing.TestGateway;
import dev.gatehouse.testing.TestIdp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Browser sign-in in a real browser (headless Chromium) against a running gateway with development certificates and
 * a real OIDC provider: what a person sees, and what the browser itself enforces (cookie attributes, same-origin
 * redirects, XHR answers). Skipped, with a message, when chromium and chromedriver are not installed.
 */
class BrowserIT {

  static Vertx upstreamVertx;
  static RecordingUpstream upstream;
  static TestIdp idp;
  static MutableClock clock = new MutableClock();
  static TestGateway gateway;
  static String origin;
  static Chromium chromium;
  static ChromeDriver browser;

  @BeforeAll
  static void start() {
    Chromium.assumeInstalled();
    upstreamVertx = Vertx.vertx();
    upstream = RecordingUpstream.start(upstreamVertx);
    idp = TestIdp.start("test", clock);
    gateway = TestGateway.builder().idp(idp).upstream(upstream).clock(clock).policy("saas.yaml", Policies.SAAS)
        .browser("gatehouse-web", "").start();
    origin = "https://localhost:" + gateway.port();
    chromium = Chromium.start();
    browser = chromium.driver();
  }

  @AfterAll
  static void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (gateway != null) {
      gateway.close();
      idp.close();
      upstream.close();
      upstreamVertx.close();
    }
  }

  @BeforeEach
  void signedOut() {
    clock.reset();
    browser.get(origin + "/.gatehouse/signed-out");
    browser.manage().deleteAllCookies();
    upstream.drain();
  }

  static Map<String, Object> alice() {
    return Map.of("email", "alice@example.com", "groups", List.of("finance"), "amr", List.of("pwd"));
  }

  @Test
  void aUserSignsInReachesTheAppAsThemselvesAndSeesA403PageWhereTheyLackPermission() {
    idp.nextUser("alice", alice());

    long started = System.nanoTime();
    browser.get(origin + "/allowed/hello?x=1");
    long signInMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("browser sign-in round trip (gateway -> IdP -> callback -> page): " + signInMillis + " ms");

    assertThat(browser.getCurrentUrl()).isEqualTo(origin + "/allowed/hello?x=1");
    JsonObject echo = new JsonObject(browser.findElement(By.tagName("body")).getText());
    assertThat(echo.getJsonObject("headers").getString("x-forwarded-user")).isEqualTo("alice");
    assertThat(echo.getJsonObject("headers").getString("x-forwarded-email")).isEqualTo("alice@example.com");
    assertThat(echo.getJsonObject("headers").containsKey("cookie")).as("the app never sees the session").isFalse();
    Cookie session = browser.manage().getCookieNamed("__Host-gatehouse-session");
    assertThat(session.isSecure()).isTrue();
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Lax");
    assertThat(session.getPath()).isEqualTo("/");
    assertThat(browser.manage().getCookieNamed("__Host-gatehouse-signin")).isNull();

    browser.get(origin + "/forbidden/settings");

    assertThat(browser.getCurrentUrl()).as("a page, not a redirect").isEqualTo(origin + "/forbidden/settings");
    assertThat(browser.getTitle()).isEqualTo("Access denied");
    String text = browser.findElement(By.tagName("body")).getText();
    assertThat(text).contains("You are signed in as alice@example.com (alice).")
        .contains("This page requires permission [app_settings]")
        .containsPattern("Request id [0-9a-f]{32}");
  }

  @Test
  void aUserWithoutMfaIsSentToStepUpOnAnMfaRouteAndThenGetsThrough() {
    idp.nextUser("carol", Map.of("groups", List.of("admins"), "amr", List.of("pwd")));
    browser.get(origin + "/allowed/");

    browser.get(origin + "/settings/smtp");

    URI atIdp = URI.create(browser.getCurrentUrl());
    assertThat(atIdp.toString()).startsWith(idp.issuer() + "/authorize?");
    assertThat(atIdp.getRawQuery()).contains("prompt=login");
    idp.nextUser("carol", Map.of("groups", List.of("admins"), "amr", List.of("pwd", "otp")));
    browser.findElement(By.name("username")).sendKeys("carol");
    browser.findElement(By.cssSelector("input[type=submit]")).click();
    new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlToBe(origin + "/settings/smtp"));
    JsonObject echo = new JsonObject(browser.findElement(By.tagName("body")).getText());
    assertThat(echo.getString("uri")).isEqualTo("/settings/smtp");
    assertThat(echo.getJsonObject("headers").getString("x-forwarded-user")).isEqualTo("carol");
  }

  @Test
  void signOutEndsTheSessionSoTheNextNavigationGoesToTheProviderAgain() {
    idp.nextUser("alice", alice());
    browser.get(origin + "/allowed/");

    browser.get(origin + "/.gatehouse/logout");

    assertThat(browser.getCurrentUrl()).isEqualTo(origin + "/.gatehouse/signed-out");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Signed out");
    assertThat(browser.manage().getCookieNamed("__Host-gatehouse-session")).isNull();
    upstream.drain();
    // only a new sign-in at the provider can make the app see bob
    idp.nextUser("bob", Map.of("groups", List.of("finance")));
    browser.get(origin + "/allowed/again");
    assertThat(new JsonObject(browser.findElement(By.tagName("body")).getText()).getJsonObject("headers")
        .getString("x-forwarded-user")).isEqualTo("bob");
  }

  @Test
  void scriptsGet401AndTamperedExpiredOrForeignCookiesAreRefused() {
    browser.get(origin + "/public/page");
    assertThat(fetchStatus("/allowed/x")).as("fetch without a session").isEqualTo("401 credential-missing");
    assertThat(xhrStatus("/allowed/x")).as("XHR without a session").isEqualTo("401 credential-missing");

    idp.nextUser("alice", alice());
    browser.get(origin + "/allowed/");
    browser.get(origin + "/public/page");
    assertThat(fetchStatus("/allowed/x")).isEqualTo("200 -");
    Cookie good = browser.manage().getCookieNamed("__Host-gatehouse-session");

    replaceSession(good.getValue().substring(0, good.getValue().length() - 4) + "AAAA");
    assertThat(fetchStatus("/allowed/x")).as("tampered").isEqualTo("401 session-invalid");

    Instant now = clock.instant();
    Session forged = new Session("sid", idp.issuer(), "alice", null, Set.of("admins"), null, List.of("otp"), null, now,
        Map.of(), now, now, null, null, null, null);
    replaceSession(new SessionCodec(new CookieSealer(SessionKeyStore.generated()), Duration.ofHours(8),
        Duration.ofHours(24), clock).encode(forged));
    assertThat(fetchStatus("/allowed/x")).as("sealed with a key the gateway does not have").isEqualTo("401 session-invalid");

    replaceSession(good.getValue());
    assertThat(fetchStatus("/allowed/x")).isEqualTo("200 -");
    clock.advance(Duration.ofHours(9));
    assertThat(fetchStatus("/allowed/x")).as("idle for longer than 8h").isEqualTo("401 session-expired");
  }

  @Test
  void aCraftedCallbackCannotSendTheBrowserElsewhere() {
    browser.get(origin + "/.gatehouse/callback?code=abc&state=forged&return_to=https%3A%2F%2Fexample.org%2F"
        + "&redirect_uri=https%3A%2F%2Fexample.org%2F");

    assertThat(URI.create(browser.getCurrentUrl()).getHost()).isEqualTo("localhost");
    assertThat(browser.getTitle()).isEqualTo("Sign-in failed");
    assertThat(browser.manage().getCookieNamed("__Host-gatehouse-session")).isNull();
  }

  private static void replaceSession(String value) {
    WebDriver.Options manage = browser.manage();
    manage.deleteCookieNamed("__Host-gatehouse-session");
    manage.addCookie(new Cookie.Builder("__Host-gatehouse-session", value).path("/").isSecure(true).isHttpOnly(true)
        .sameSite("Lax").build());
  }

  /** Status and reason of a same-origin fetch() from the current page. */
  private static String fetchStatus(String path) {
    Object result = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "fetch(arguments[0], {credentials: 'same-origin', headers: {'Accept': 'application/json'}})"
        + ".then(r => r.text().then(t => done(r.status + ' ' + (r.status === 200 ? '-' : JSON.parse(t).reason))))"
        + ".catch(e => done('failed ' + e));", path);
    return String.valueOf(result);
  }

  /** Status and reason of a same-origin XMLHttpRequest that asks for HTML, as some libraries do. */
  private static String xhrStatus(String path) {
    Object result = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "const x = new XMLHttpRequest(); x.open('GET', arguments[0]); x.setRequestHeader('Accept', 'text/html');"
        + "x.onload = () => done(x.status + ' ' + (x.status === 200 ? '-' : JSON.parse(x.responseText).reason));"
        + "x.onerror = () => done('failed'); x.send();", path);
    return String.valueOf(result);
  }
}
