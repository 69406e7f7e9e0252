package dev.gatehouse.it;

/** Policy files shared by integration tests; {@code ${UPSTREAM}} is the test upstream. */
final class Policies {

  private Policies() {}

  static final String SAAS = """
      permissions:
        billing:
          description: Invoices and payment methods
          grantedTo: [finance]
        user_data:
          grantedTo: [support]
        app_settings:
          grantedTo: [admins]
      routes:
        - id: billing
          path: /billing/**
          upstream: ${UPSTREAM}
          allow:
            - name: finance-staff
              permissions: [billing]
        - id: allowed
          path: /allowed/**
          upstream: ${UPSTREAM}
          allow:
            - authenticated: true
        - id: forbidden
          path: /forbidden/**
          upstream: ${UPSTREAM}
          allow:
            - permissions: [app_settings]
        - id: settings
          path: /settings/**
          upstream: ${UPSTREAM}
          allow:
            - name: admins-with-mfa
              permissions: [app_settings]
              mfa: true
        - id: tenants
          path: /tenants/{tenant}/**
          upstream: ${UPSTREAM}
          allow:
            - name: own-tenant
              permissions: [user_data]
              tenant: "{tenant}"
        - id: public
          path: /public/**
          upstream: ${UPSTREAM}
          public: true
      """;
}
