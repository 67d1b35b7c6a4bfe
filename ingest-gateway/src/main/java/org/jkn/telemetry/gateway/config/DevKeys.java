package org.jkn.telemetry.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.jkn.telemetry.store.crypto.LocalKek;

/**
 * Development keys: generated once into the data directory and reused, so pseudonyms stay the same
 * across restarts. The prod profile never gets here (configuration refuses to start without keys).
 */
public final class DevKeys {

    private DevKeys() {}

    public static byte[] pseudonymKey(Path dataDir) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getDecoder()
                .decode(once(dataDir, "pseudonym.key", Base64.getEncoder().encodeToString(key)));
    }

    /**
     * The development key-encryption key, {@code dev-1:base64}, in {@code DATA_DIR/keys/kek.key}.
     */
    public static LocalKek kek(Path dataDir) throws IOException {
        return LocalKek.parse(once(dataDir, "kek.key", LocalKek.generate("dev-1")));
    }

    /** The file's content, written first with {@code fresh} (owner-only) when it does not exist. */
    private static String once(Path dataDir, String name, String fresh) throws IOException {
        Path dir = dataDir.resolve("keys");
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, fresh);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the directory's permissions apply
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return fresh;
    }
}
