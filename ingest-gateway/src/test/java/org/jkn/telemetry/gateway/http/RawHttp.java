package org.jkn.telemetry.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP over a plain socket, for requests a well-behaved client would not send. */
final class RawHttp {

    private RawHttp() {}

    /**
     * Announces a body of {@code length} bytes, sends a little of it, and returns the status the
     * server answers.
     */
    static int statusOfOversizedUpload(int port, long length, String token) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(
                    ("POST /v1/readings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Authorization: Bearer "
                                    + token
                                    + "\r\n"
                                    + "Content-Length: "
                                    + length
                                    + "\r\n\r\n{\"patient\":")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        }
    }
}
