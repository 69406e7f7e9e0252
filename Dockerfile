# Build: a full JDK and Maven; only the gateway module (the demo is dev-only and never goes into the image).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY gateway/pom.xml gateway/
# the reactor lists every module, so the demo's pom must be present even though the image never contains the demo
COPY demo/pom.xml demo/
RUN mvn -B -q -pl gateway -am -Dmaven.test.skip=true dependency:go-offline || true
COPY gateway/src gateway/src
RUN mvn -B -q -pl gateway -am -DskipTests package

# Run: a JRE only, as an unprivileged user without a shell login.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 gatehouse \
 && useradd --system --uid 10001 --gid gatehouse --no-create-home --shell /usr/sbin/nologin gatehouse
COPY --from=build /src/gateway/target/gatehouse.jar /opt/gatehouse/gatehouse.jar
USER 10001:10001
# 8443: the gateway; 9443: the admin listener (health, readiness, metrics; mutual TLS for all but the probes)
EXPOSE 8443 9443
# probes /healthz on the admin listener, trusting exactly the configured certificate (needs an admin: section)
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["java", "-jar", "/opt/gatehouse/gatehouse.jar", "health", "--config", "/etc/gatehouse/gatehouse.yaml"]
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/gatehouse/gatehouse.jar"]
CMD ["run", "--config", "/etc/gatehouse/gatehouse.yaml"]
