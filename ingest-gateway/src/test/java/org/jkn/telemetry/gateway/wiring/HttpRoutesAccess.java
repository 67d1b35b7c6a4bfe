package org.jkn.telemetry.gateway.wiring;

/** Opens HttpRoutes' package-private helpers to tests in other packages. */
public final class HttpRoutesAccess {

    private HttpRoutesAccess() {}

    public static String resourceOf(String path) {
        return HttpRoutes.resourceOf(path);
    }
}
