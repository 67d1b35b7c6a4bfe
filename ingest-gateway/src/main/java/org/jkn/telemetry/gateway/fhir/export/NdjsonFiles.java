package org.jkn.telemetry.gateway.fhir.export;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The NDJSON files of one resource type in an export's directory: {@code {type}-1.ndjson}, then
 * {@code {type}-2.ndjson} once the first holds {@code maxPerFile} resources, and so on, so no
 * single download is unbounded. A file is created only when its first resource comes. Not
 * thread-safe: one per type and job.
 */
final class NdjsonFiles implements Closeable {

    /** Writes one resource, as one line without its line break. */
    @FunctionalInterface
    interface Line {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final int BUFFER_BYTES = 1 << 16;

    private final Path directory;
    private final String type;
    private final int maxPerFile;
    private final List<OutputFile> done = new ArrayList<>();
    private OutputStream out;
    private long inCurrent;

    NdjsonFiles(Path directory, String type, int maxPerFile) {
        this.directory = directory;
        this.type = type;
        this.maxPerFile = maxPerFile;
    }

    void append(Line line) throws IOException {
        if (out == null || inCurrent == maxPerFile) {
            roll();
        }
        line.writeTo(out);
        out.write('\n');
        inCurrent++;
    }

    /** The files written, each closed and counted; call after {@link #close}. */
    List<OutputFile> files() {
        return List.copyOf(done);
    }

    private void roll() throws IOException {
        close();
        String name = type + "-" + (done.size() + 1) + ".ndjson";
        out =
                new BufferedOutputStream(
                        Files.newOutputStream(directory.resolve(name)), BUFFER_BYTES);
        done.add(new OutputFile(type, name, 0));
        inCurrent = 0;
    }

    @Override
    public void close() throws IOException {
        if (out == null) {
            return;
        }
        out.close();
        out = null;
        OutputFile last = done.remove(done.size() - 1);
        done.add(new OutputFile(last.type(), last.name(), inCurrent));
    }
}
