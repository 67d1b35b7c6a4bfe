package org.jkn.telemetry.gateway.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * Granted scopes, parsed once per token from the space-separated {@code scope} claim.
 *
 * <p>SMART App Launch v2 resource scopes {@code context/Type.perms} (context {@code patient},
 * {@code user} or {@code system}; Type a FHIR resource type or {@code *}; perms a subset of {@code
 * cruds} in that order) and their v1 forms {@code .read} (= {@code rs}), {@code .write} (= {@code
 * cud}) and {@code .*} (= {@code cruds}). A v2 scope with a query ({@code ?category=...}) narrows
 * what it grants in ways this server does not enforce, so it grants nothing here rather than more
 * than meant. Other strings ({@code openid}, {@code launch/patient}, the admin scope) are kept as
 * they are. Immutable and thread-safe.
 */
public final class Scopes {

    /**
     * The operator scope: erasure and device management. Product-specific rather than {@code
     * system/*.cruds} on purpose: an operator must be able to erase a patient or revoke a device
     * without being able to read anyone's health data, which every SMART resource scope that covers
     * Patient or Device would also imply for Observation ({@code *}) or not express.
     */
    public static final String ADMIN = "telemetry.admin";

    private static final String PERMS = "cruds";
    private static final Scopes NONE = new Scopes(List.of(), List.of());

    private record Grant(String context, String type, int perms) {}

    private final List<Grant> grants;
    private final List<String> others;

    private Scopes(List<Grant> grants, List<String> others) {
        this.grants = grants;
        this.others = others;
    }

    /**
     * Parses a {@code scope} claim; null or blank grants nothing. Malformed entries are ignored.
     */
    public static Scopes parse(String claim) {
        if (claim == null || claim.isBlank()) {
            return NONE;
        }
        List<Grant> grants = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (String s : claim.trim().split(" +", -1)) {
            Grant g = grant(s);
            if (g != null) {
                grants.add(g);
            } else if (s.indexOf('/') < 0 || s.startsWith("launch/")) {
                others.add(s);
            }
        }
        return new Scopes(List.copyOf(grants), List.copyOf(others));
    }

    private static Grant grant(String s) {
        int slash = s.indexOf('/');
        int dot = s.indexOf('.', slash + 1);
        if (slash <= 0 || dot < 0 || s.indexOf('?') >= 0) {
            return null;
        }
        String context = s.substring(0, slash);
        if (!context.equals("patient") && !context.equals("user") && !context.equals("system")) {
            return null;
        }
        String type = s.substring(slash + 1, dot);
        if (!type.equals("*") && !isResourceType(type)) {
            return null;
        }
        int perms = perms(s.substring(dot + 1));
        return perms == 0 ? null : new Grant(context, type, perms);
    }

    /** Bit mask of c r u d s, or 0 when the text is not a valid permission list. */
    private static int perms(String p) {
        switch (p) {
            case "read" -> {
                return bit('r') | bit('s');
            }
            case "write" -> {
                return bit('c') | bit('u') | bit('d');
            }
            case "*" -> {
                return 0x1f;
            }
            default -> {
                // a letter list, checked below
            }
        }
        int mask = 0;
        int last = -1;
        for (int i = 0; i < p.length(); i++) {
            int at = PERMS.indexOf(p.charAt(i));
            if (at <= last) {
                return 0; // unknown letter, repeated, or out of the order v2 requires
            }
            last = at;
            mask |= 1 << at;
        }
        return mask;
    }

    private static int bit(char permission) {
        int at = PERMS.indexOf(permission);
        return at < 0 ? 0 : 1 << at;
    }

    private static boolean isResourceType(String t) {
        if (t.isEmpty() || t.length() > 64 || !Character.isUpperCase(t.charAt(0))) {
            return false;
        }
        for (int i = 1; i < t.length(); i++) {
            if (!Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when a scope in {@code context} grants {@code permission} on {@code resourceType} (or on
     * {@code *}).
     */
    public boolean allows(String context, String resourceType, char permission) {
        int b = bit(Character.toLowerCase(permission));
        if (b == 0) {
            return false;
        }
        for (Grant g : grants) {
            if ((g.perms & b) != 0
                    && g.context.equals(context)
                    && (g.type.equals("*") || g.type.equals(resourceType))) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the scope string was granted as it is (for non-resource scopes such as {@link
     * #ADMIN}).
     */
    public boolean has(String scope) {
        return others.contains(scope);
    }

    /**
     * True when some resource scope has the given context ({@code patient}, {@code user}, {@code
     * system}).
     */
    public boolean hasContext(String context) {
        for (Grant g : grants) {
            if (g.context.equals(context)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Grant g : grants) {
            b.append(b.length() == 0 ? "" : " ")
                    .append(g.context)
                    .append('/')
                    .append(g.type)
                    .append('.');
            for (int i = 0; i < PERMS.length(); i++) {
                if ((g.perms & (1 << i)) != 0) {
                    b.append(PERMS.charAt(i));
                }
            }
        }
        for (String o : others) {
            b.append(b.length() == 0 ? "" : " ").append(o);
        }
        return b.toString();
    }
}
