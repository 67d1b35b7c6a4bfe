package org.jkn.telemetry.gateway.ops;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** The repository's {@code docker/} directory and the tools its tests run. */
final class DockerDirectory {

    private DockerDirectory() {}

    /** A file under {@code docker/}. */
    static Path resolve(String relative) {
        return repositoryRoot().resolve("docker").resolve(relative);
    }

    /**
     * The repository's root, found from the working directory up (Maven runs a module's tests in
     * the module's directory, an IDE often in the repository's).
     */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docker").resolve("prometheus"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no docker/ directory above " + Path.of("").toAbsolutePath());
    }

    /** An executable on PATH (Debian's {@code prometheus} package puts both tools in /usr/bin). */
    static Optional<Path> executable(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
