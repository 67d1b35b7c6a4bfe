package org.jkn.telemetry.gateway.ops;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

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

    /**
     * A tool of Debian's {@code prometheus} package ({@code prometheus}, {@code promtool}). Where
     * it is missing the calling test is skipped, except under CI ({@code CI=true}), where it fails:
     * a CI machine is expected to have it ({@code .ci/run} installs it), and a skip would hide a
     * failed install.
     */
    static Path prometheusTool(String name) {
        Optional<Path> exe = executable(name);
        if (exe.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(
                    name
                            + " is not installed and CI=true: .ci/run installs Debian's prometheus"
                            + " package");
        }
        Assumptions.assumeTrue(
                exe.isPresent(),
                name
                        + " is not installed (Debian: apt-get install prometheus); .ci/run installs"
                        + " it");
        return exe.orElseThrow();
    }
}
