package dev.gatehouse.policy;

/**
 * What a policy answers to a request, in the words of policy test cases: {@code allow}, {@code deny},
 * {@code step-up}, {@code unauthenticated} or {@code not-found}, with the reason code and, when known, the route and
 * the deciding rule. Used to run test cases, to replay recent requests on reload, and to re-check open WebSockets.
 */
public record Verdict(String outcome, String reason, String route, String rule) {

  public boolean allowed() {
    return outcome.equals("allow");
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(outcome).append(" (").append(reason).append(')');
    if (route != null) {
      sb.append(" on route '").append(route).append('\'');
    }
    if (rule != null) {
      sb.append(" by rule '").append(rule).append('\'');
    }
    return sb.toString();
  }
}
