package dev.gatehouse.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

  private static final Upstream UPSTREAM = Upstream.parse("http://127.0.0.1:8081");

  static Route route(String id, String host, String path, String... methods) {
    return new Route(id, List.of(HostPattern.parse(host)), PathPattern.parse(path), Set.of(methods), UPSTREAM, false,
        List.of(), List.of(), RouteOptions.DEFAULT, "test.yaml:1");
  }

  static RouteTable table(Route... routes) {
    RouteTable.Builder builder = new RouteTable.Builder();
    for (Route r : routes) {
      assertThat(builder.add(r)).as("clash adding %s", r.id()).isNull();
    }
    return builder.build();
  }

  /** Many overlapping routes; the table must pick the most specific for each request. */
  private static final RouteTable TABLE = table(
      route("a-b", "*", "/a/b"),
      route("a-var", "*", "/a/{x}"),
      route("a-star-c", "*", "/a/*/c"),
      route("a-rest", "*", "/a/**"),
      route("root-rest", "*", "/**"),
      route("exact-host", "app.example.com", "/a/**"),
      route("suffix", "*.example.com", "/a/**"),
      route("longer-suffix", "*.eu.example.com", "/a/**"),
      route("m-get", "*", "/m", "GET", "HEAD"),
      route("m-any", "*", "/m"),
      route("m-post", "*", "/m", "POST"),
      route("Case", "*", "/Case/x"));

  @ParameterizedTest(name = "{1} {0}{2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      # host              | method | path     | expected route
      other.org           | GET    | /a/b     | a-b
      other.org           | GET    | /a/b/    | a-b
      other.org           | GET    | /a/zzz   | a-var
      other.org           | GET    | /a/zzz/  | a-var
      other.org           | GET    | /a/zzz/c | a-star-c
      other.org           | GET    | /a/b/c   | a-star-c
      other.org           | GET    | /a/b/d   | a-rest
      other.org           | GET    | /a/b/c/d | a-rest
      other.org           | GET    | /a       | a-rest
      other.org           | GET    | /a/      | a-rest
      other.org           | GET    | /        | root-rest
      other.org           | GET    | /b/c     | root-rest
      other.org           | GET    | /A/b     | root-rest
      other.org           | GET    | /Case/x  | Case
      other.org           | GET    | /case/x  | root-rest
      app.example.com     | GET    | /a/b     | exact-host
      app.example.com     | GET    | /a       | exact-host
      app.example.com     | GET    | /zzz     | root-rest
      x.example.com       | GET    | /a/b     | suffix
      eu.example.com      | GET    | /a/b     | suffix
      x.eu.example.com    | GET    | /a/b     | longer-suffix
      a.b.eu.example.com  | GET    | /a/b     | longer-suffix
      example.com         | GET    | /a/b     | a-b
      x.example.org       | GET    | /a/b     | a-b
      other.org           | GET    | /m       | m-get
      other.org           | HEAD   | /m/      | m-get
      other.org           | POST   | /m       | m-post
      other.org           | DELETE | /m       | m-any
      """)
  void picksTheMostSpecificRoute(String host, String method, String path, String expected) {
    RouteTable.Lookup lookup = TABLE.find(host, path, method);

    assertThat(lookup.match()).isNotNull();
    assertThat(lookup.match().route().id()).isEqualTo(expected);
    assertThat(lookup.methodMismatch()).isFalse();
  }

  @Test
  void countsRoutes() {
    assertThat(TABLE.size()).isEqualTo(12);
  }

  @Test
  void matchesDoubleStarWithZeroSegments() {
    RouteTable t = table(route("docs", "*", "/docs/**"), route("all", "*", "/**"));

    assertThat(t.find("h", "/docs", "GET").match().route().id()).isEqualTo("docs");
    assertThat(t.find("h", "/docs/", "GET").match().route().id()).isEqualTo("docs");
    assertThat(t.find("h", "/", "GET").match().route().id()).isEqualTo("all");
    assertThat(t.find("h", "/docsx", "GET").match().route().id()).isEqualTo("all");
  }

  @Test
  void doesNotMatchSingleSegmentWildcardAgainstZeroOrTwoSegments() {
    RouteTable t = table(route("one", "*", "/a/*"));

    assertThat(t.find("h", "/a", "GET").match()).isNull();
    assertThat(t.find("h", "/a/b/c", "GET").match()).isNull();
    assertThat(t.find("h", "/a/b", "GET").match().route().id()).isEqualTo("one");
  }

  @Test
  void capturesPathVariables() {
    RouteTable t = table(route("tenant-users", "*", "/t/{tenant}/users/{user}/**"));

    RouteMatch match = t.find("h", "/t/acme/users/42/profile/photo", "GET").match();

    assertThat(match.variable("tenant")).isEqualTo("acme");
    assertThat(match.variable("user")).isEqualTo("42");
    assertThat(match.variable("missing")).isNull();
  }

  @Test
  void capturesVariableOfLessSpecificRouteAfterBacktracking() {
    RouteTable t = table(route("literal", "*", "/t/admin/x"), route("var", "*", "/t/{tenant}/y"));

    RouteMatch match = t.find("h", "/t/admin/y", "GET").match();

    assertThat(match.route().id()).isEqualTo("var");
    assertThat(match.variable("tenant")).isEqualTo("admin");
  }

  @Test
  void reportsMethodMismatchWhenOnlyTheMethodIsWrong() {
    RouteTable t = table(route("read", "*", "/r/**", "GET"));

    RouteTable.Lookup wrongMethod = t.find("h", "/r/x", "POST");
    RouteTable.Lookup noPath = t.find("h", "/s", "GET");

    assertThat(wrongMethod.match()).isNull();
    assertThat(wrongMethod.methodMismatch()).isTrue();
    assertThat(noPath.match()).isNull();
    assertThat(noPath.methodMismatch()).isFalse();
  }

  @Test
  void reportsMethodMismatchFromAMoreSpecificHost() {
    RouteTable t = table(route("read", "app.example.com", "/r", "GET"), route("suffix-read", "*.example.com", "/r", "GET"));

    RouteTable.Lookup lookup = t.find("app.example.com", "/r", "PUT");

    assertThat(lookup.match()).isNull();
    assertThat(lookup.methodMismatch()).isTrue();
  }

  @Test
  void fallsBackToLessSpecificRouteWhenMethodDoesNotFit() {
    RouteTable t = table(route("get-b", "*", "/a/b", "GET"), route("var", "*", "/a/{x}"));

    RouteTable.Lookup lookup = t.find("h", "/a/b", "POST");

    assertThat(lookup.match().route().id()).isEqualTo("var");
    assertThat(lookup.methodMismatch()).isFalse();
  }

  @Test
  void prefersMethodLimitedRouteRegardlessOfInsertionOrder() {
    RouteTable t = table(route("any", "*", "/x/**"), route("get", "*", "/x/**", "GET"));

    assertThat(t.find("h", "/x/1", "GET").match().route().id()).isEqualTo("get");
    assertThat(t.find("h", "/x/1", "PUT").match().route().id()).isEqualTo("any");
  }

  @Test
  void routeWithSeveralHostsIsFoundUnderEachOfThem() {
    Route both = new Route("both", List.of(HostPattern.parse("a.example.com"), HostPattern.parse("*.example.org")),
        PathPattern.parse("/p"), Set.of(), UPSTREAM, false, List.of(), List.of(), RouteOptions.DEFAULT, "test.yaml:1");
    RouteTable t = table(both);

    assertThat(t.find("a.example.com", "/p", "GET").match().route().id()).isEqualTo("both");
    assertThat(t.find("x.example.org", "/p", "GET").match().route().id()).isEqualTo("both");
    assertThat(t.find("b.example.com", "/p", "GET").match()).isNull();
    assertThat(t.size()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} then {1} clash")
  @CsvSource(delimiter = '|', textBlock = """
      # first route (host path methods)  | second route
      * /a/{x}                            | * /a/*
      * /a/{x}/c                          | * /a/{y}/c
      * /a                                | * /a/
      * /a/**                             | * /a/**/
      * /a/**                             | * /a/**
      * /a GET,POST                       | * /a POST,PUT
      * /a GET                            | * /a GET
      app.example.com /a                  | APP.Example.com. /a
      *.example.com /a                    | *.EXAMPLE.com /a
      *.example.com /a                    | *.Example.com. /a
      """)
  void detectsDuplicateMatcher(String first, String second) {
    RouteTable.Builder builder = new RouteTable.Builder();
    Route a = parse("first", first);
    Route b = parse("second", second);

    assertThat(builder.add(a)).isNull();
    assertThat(builder.add(b)).isSameAs(a);
    assertThat(builder.build().size()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} and {1} coexist")
  @CsvSource(delimiter = '|', textBlock = """
      * /a                 | * /a/**
      * /a/{x}             | * /a/b
      * /a/{x}             | * /a/{x}/**
      * /a GET             | * /a POST
      * /a GET             | * /a
      app.example.com /a   | * /a
      app.example.com /a   | *.example.com /a
      *.example.com /a     | *.eu.example.com /a
      * /a                 | * /A
      """)
  void acceptsRoutesWithDifferentMatchers(String first, String second) {
    RouteTable.Builder builder = new RouteTable.Builder();

    assertThat(builder.add(parse("first", first))).isNull();
    assertThat(builder.add(parse("second", second))).isNull();
    assertThat(builder.build().size()).isEqualTo(2);
  }

  /** "host path [M1,M2]" */
  private static Route parse(String id, String spec) {
    String[] parts = spec.trim().split(" ");
    String[] methods = parts.length > 2 ? parts[2].split(",") : new String[0];
    return route(id, parts[0], parts[1], methods);
  }
}
