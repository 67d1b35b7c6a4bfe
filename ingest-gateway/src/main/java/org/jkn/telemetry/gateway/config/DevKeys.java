package org.jkn.telemetry.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Development keys: generated once into the data directory and reused, so pseudonyms stay the same
 * across restarts. The prod profile never gets here (configuration refuses to start without keys).
 */
public final class DevKeys {

    private DevKeys() {
    }

    public static byte[] pseudonymKey(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("keys");
        Path file = dir.resolve("pseudonym.key");
        if (Files.exists(file)) {
            return Base64.getDecoder().decode(Files.readString(file).trim());
        }
        Files.createDirectories(dir);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path tmp = dir.resolve("pseudonym.key.tmp");
        Files.writeString(tmp, Base64.getEncoder().encodeToString(key));
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the directory's permissions apply
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return key;
    }
}
