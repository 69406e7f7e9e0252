package dev.gatehouse.policy;

import dev.gatehouse.Reason;
import dev.gatehouse.identity.ClaimPath;
import dev.gatehouse.identity.Identity;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The conditions of the policy language. Each one is small, immutable, and precomputes its failure. */
final class Conditions {

  private Conditions() {}

  /** {@code permissions: [a, b]}: every listed permission is granted. */
  record AllPermissions(Set<String> required, Unmet unmet) implements Condition {
    AllPermissions(Set<String> required) {
      this(Set.copyOf(required), new Unmet(Reason.PERMISSION_MISSING, "requires permission " + sorted(required)));
    }

    public Unmet check(Access access) {
      return access.permissions().containsAll(required) ? null : unmet;
    }

    public String describe() {
      return "permissions: " + sorted(required);
    }
  }

  /** {@code anyPermission: [a, b]}: at least one listed permission is granted. */
  record AnyPermission(Set<String> anyOf, Unmet unmet) implements Condition {
    AnyPermission(Set<String> anyOf) {
      this(Set.copyOf(anyOf), new Unmet(Reason.PERMISSION_MISSING, "requires one of the permissions " + sorted(anyOf)));
    }

    public Unmet check(Access access) {
      return intersects(access.permissions(), anyOf) ? null : unmet;
    }

    public String describe() {
      return "anyPermission: " + sorted(anyOf);
    }
  }

  /** {@code groups: [a, b]}: the identity is in at least one listed group or role. */
  record AnyGroup(Set<String> anyOf, Unmet unmet) implements Condition {
    AnyGroup(Set<String> anyOf) {
      this(Set.copyOf(anyOf), new Unmet(Reason.CONDITION_UNMET, "requires membership of one of the groups " + sorted(anyOf)));
    }

    public Unmet check(Access access) {
      return intersects(access.identity().groups(), anyOf) ? null : unmet;
    }

    public String describe() {
      return "groups: " + sorted(anyOf);
    }
  }

  /** {@code subjects: [..]}: the subject is one of these. */
  record SubjectIn(Set<String> subjects, Unmet unmet) implements Condition {
    SubjectIn(Set<String> subjects) {
      this(Set.copyOf(subjects), new Unmet(Reason.CONDITION_UNMET, "restricted to listed subjects"));
    }

    public Unmet check(Access access) {
      return subjects.contains(access.identity().subject()) ? null : unmet;
    }

    public String describe() {
      return "subjects: " + sorted(subjects);
    }
  }

  /**
   * {@code emails: [..]}: the verified email is one of these (compared case-insensitively). An email the IdP marks
   * {@code email_verified: false} never matches: anyone can type any address into an unverified profile.
   */
  record EmailIn(Set<String> emails, Unmet unmet) implements Condition {
    EmailIn(Set<String> emails) {
      this(lowerCase(emails), new Unmet(Reason.CONDITION_UNMET, "restricted to listed email addresses"));
    }

    public Unmet check(Access access) {
      String email = verifiedEmail(access.identity());
      return email != null && emails.contains(email) ? null : unmet;
    }

    public String describe() {
      return "emails: " + sorted(emails);
    }
  }

  /** {@code emailDomains: [..]}: the verified email's domain is one of these. */
  record EmailDomainIn(Set<String> domains, Unmet unmet) implements Condition {
    EmailDomainIn(Set<String> domains) {
      this(lowerCase(domains), new Unmet(Reason.CONDITION_UNMET, "restricted to email domains " + sorted(domains)));
    }

    public Unmet check(Access access) {
      String email = verifiedEmail(access.identity());
      if (email == null) {
        return unmet;
      }
      int at = email.lastIndexOf('@');
      return at > 0 && domains.contains(email.substring(at + 1)) ? null : unmet;
    }

    public String describe() {
      return "emailDomains: " + sorted(domains);
    }
  }

  /** {@code claims: {path: {equals: v}}}: the claim is exactly this string, number or boolean. */
  record ClaimEquals(ClaimPath path, Object expected, Unmet unmet) implements Condition {
    ClaimEquals(ClaimPath path, Object expected) {
      this(path, expected, new Unmet(Reason.CONDITION_UNMET, "requires claim " + path + " = " + expected));
    }

    public Unmet check(Access access) {
      return sameValue(path.resolve(access.identity().claims()), expected) ? null : unmet;
    }

    public String describe() {
      return "claims: {" + path + ": {equals: " + expected + "}}";
    }
  }

  /** {@code claims: {path: {contains: v}}}: the claim is an array holding this value (or a string equal to it). */
  record ClaimContains(ClaimPath path, Object expected, Unmet unmet) implements Condition {
    ClaimContains(ClaimPath path, Object expected) {
      this(path, expected, new Unmet(Reason.CONDITION_UNMET, "requires claim " + path + " to contain " + expected));
    }

    public Unmet check(Access access) {
      Object value = path.resolve(access.identity().claims());
      if (value instanceof Collection<?> items) {
        for (Object item : items) {
          if (sameValue(item, expected)) {
            return null;
          }
        }
        return unmet;
      }
      if (value instanceof String && expected instanceof String) {
        // strings(...) splits space-separated claims such as scope, and is the value itself otherwise
        return path.strings(access.identity().claims()).contains(expected) ? null : unmet;
      }
      return sameValue(value, expected) ? null : unmet;
    }

    public String describe() {
      return "claims: {" + path + ": {contains: " + expected + "}}";
    }
  }

  /** {@code methods: [GET, HEAD]}: the request method is one of these. */
  record MethodIn(Set<String> methods, Unmet unmet) implements Condition {
    MethodIn(Set<String> methods) {
      this(Set.copyOf(methods), new Unmet(Reason.CONDITION_UNMET, "method not allowed by this rule"));
    }

    public Unmet check(Access access) {
      return methods.contains(access.method()) ? null : unmet;
    }

    public String describe() {
      return "methods: " + sorted(methods);
    }
  }

  /**
   * {@code mfa: ...}: the identity shows multi-factor evidence (an {@code amr} value from the MFA set, or an
   * {@code acr} from the accepted list or at least the minimum level) and, when {@code maxAge} is set,
   * authenticated at most that long ago.
   */
  record Mfa(Set<String> amrValues, Set<String> acrValues, List<String> acrLevels, int minimumLevel,
      Duration maxAge, Unmet unmet) implements Condition {

    Mfa {
      amrValues = Set.copyOf(amrValues);
      acrValues = Set.copyOf(acrValues);
      acrLevels = List.copyOf(acrLevels);
    }

    public Unmet check(Access access) {
      Identity id = access.identity();
      if (!hasEvidence(id)) {
        return unmet;
      }
      if (maxAge != null) {
        Instant authTime = id.authTime();
        if (authTime == null || authTime.plus(maxAge).isBefore(access.now())) {
          return unmet;
        }
      }
      return null;
    }

    private boolean hasEvidence(Identity id) {
      if (minimumLevel >= 0) {
        return id.acr() != null && acrLevels.indexOf(id.acr()) >= minimumLevel;
      }
      if (id.acr() != null && acrValues.contains(id.acr())) {
        return true;
      }
      for (String amr : id.amr()) {
        if (amrValues.contains(amr)) {
          return true;
        }
      }
      return false;
    }

    public String describe() {
      StringBuilder sb = new StringBuilder("mfa: {");
      if (minimumLevel >= 0) {
        sb.append("minAcr: ").append(acrLevels.get(minimumLevel));
      } else {
        sb.append("amr: ").append(sorted(amrValues));
        if (!acrValues.isEmpty()) {
          sb.append(", acr: ").append(sorted(acrValues));
        }
      }
      if (maxAge != null) {
        sb.append(", maxAge: ").append(dev.gatehouse.config.Quantities.format(maxAge));
      }
      return sb.append('}').toString();
    }
  }

  /**
   * {@code tenant: "{var}"}: the path variable equals the identity's tenant claim exactly. An identity without a
   * tenant never matches.
   */
  record TenantBinding(String variable, Unmet unmet) implements Condition {
    TenantBinding(String variable) {
      this(variable, new Unmet(Reason.TENANT_MISMATCH, "the tenant in the path is not the caller's tenant"));
    }

    public Unmet check(Access access) {
      String tenant = access.identity().tenant();
      String requested = access.match().variable(variable);
      return tenant != null && tenant.equals(requested) ? null : unmet;
    }

    public String describe() {
      return "tenant: \"{" + variable + "}\"";
    }
  }

  private static String verifiedEmail(Identity id) {
    Object verified = id.claims().get("email_verified");
    // some IdPs (Cognito) send the flag as a string
    if (id.email() == null || Boolean.FALSE.equals(verified) || "false".equals(verified)) {
      return null;
    }
    return id.email().toLowerCase(Locale.ROOT);
  }

  private static boolean intersects(Set<String> have, Set<String> anyOf) {
    for (String s : anyOf) {
      if (have.contains(s)) {
        return true;
      }
    }
    return false;
  }

  /** Claim values from JSON: numbers compare by value whatever their Java type. */
  static boolean sameValue(Object actual, Object expected) {
    if (actual instanceof Number a && expected instanceof Number e) {
      return new java.math.BigDecimal(a.toString()).compareTo(new java.math.BigDecimal(e.toString())) == 0;
    }
    return actual != null && actual.equals(expected);
  }

  private static Set<String> lowerCase(Set<String> values) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String v : values) {
      out.add(v.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(out);
  }

  static String sorted(Collection<String> values) {
    return values.stream().sorted().toList().toString();
  }
}
