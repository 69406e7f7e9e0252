package dev.gatehouse.policy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.Identity;
import dev.gatehouse.request.PathNormalizer;
import dev.gatehouse.request.TargetParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Explains a decision step by step for {@code check-policy --explain}: the route chosen, every rule and condition
 * checked in order with its result, and the final decision (taken from {@link PolicyEvaluator}, so the explanation
 * can never disagree with what the gateway would do).
 */
public final class PolicyExplainer {

  private PolicyExplainer() {}

  /** @param identity the caller, or null for an anonymous request */
  public static List<String> explain(CompiledPolicy policy, String method, String host, String rawPath, Identity identity,
      Instant now) {
    List<String> out = new ArrayList<>();
    out.add("request   " + method + " https://" + host + rawPath);
    out.add("policy    " + policy.version());
    String path;
    String normalizedHost;
    try {
      normalizedHost = TargetParser.normalizeHost(host);
      path = PathNormalizer.normalize(rawPath).decoded();
    } catch (Reason.Rejection r) {
      out.add("decision  400 " + r.reason().code() + ": " + r.detail());
      return out;
    }
    if (!path.equals(rawPath)) {
      out.add("path      judged as " + path);
    }
    if (identity != null) {
      Set<String> permissions = policy.permissions().grantedTo(identity.groups());
      out.add("identity  sub=" + identity.subject() + " groups=" + identity.groups() + " tenant=" + identity.tenant()
          + " amr=" + identity.amr() + (identity.acr() == null ? "" : " acr=" + identity.acr())
          + (identity.authTime() == null ? "" : " auth_time=" + identity.authTime()));
      out.add("          permissions granted: " + Conditions.sorted(permissions));
    } else {
      out.add("identity  none (anonymous)");
    }
    RouteTable.Lookup lookup = policy.routes().find(normalizedHost, path, method);
    if (lookup.match() == null) {
      Reason reason = lookup.methodMismatch() ? Reason.METHOD_NOT_ALLOWED : Reason.ROUTE_NOT_FOUND;
      out.add("decision  " + reason.status() + " " + reason.code());
      return out;
    }
    RouteMatch match = lookup.match();
    Route route = match.route();
    StringBuilder routeLine = new StringBuilder("route     ").append(route.id()).append(" (").append(route.declaredAt())
        .append(") path ").append(route.path());
    for (String name : route.path().variableNames()) {
      routeLine.append(' ').append('{').append(name).append("}=").append(match.variable(name));
    }
    out.add(routeLine.toString());
    if (route.isPublic()) {
      out.add("decision  allow (public-route)");
      return out;
    }
    if (identity == null) {
      out.add("decision  401 credential-missing: the route needs an authenticated caller");
      return out;
    }
    Access access = new Access(identity, policy.permissions().grantedTo(identity.groups()), method, match, now);
    explainRules(out, "deny ", route.denyRules(), access);
    explainRules(out, "allow", route.allowRules(), access);
    Decision d = PolicyEvaluator.evaluate(policy, match, identity, method, now);
    out.add("decision  " + d.outcome().code() + " (" + d.reason().code() + ")"
        + (d.rule() == null ? "" : " by rule " + d.rule()) + ": " + d.detail());
    return out;
  }

  private static void explainRules(List<String> out, String kind, List<Rule> rules, Access access) {
    for (Rule rule : rules) {
      out.add(kind + "     " + rule.name() + " (" + rule.declaredAt() + ")");
      if (rule.conditions().isEmpty()) {
        out.add("            holds   authenticated: true");
      }
      for (Condition c : rule.conditions()) {
        Unmet unmet = c.check(access);
        out.add(unmet == null
            ? "            holds   " + c.describe()
            : "            FAILS   " + c.describe() + " -> " + unmet.reason().code() + ": " + unmet.detail());
      }
    }
  }
}
