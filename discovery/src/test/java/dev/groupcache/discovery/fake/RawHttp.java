package dev.groupcache.discovery.fake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client on a raw socket, to see the exact bytes the fake sends:
 * status line, headers, and the chunked framing (is the terminating {@code 0\r\n\r\n} chunk there,
 * or was the stream cut?). Every read is bounded by a socket timeout.
 */
final class RawHttp {
    private RawHttp() {}

    /** A response read until the server closed the connection. */
    record Response(int status, Map<String, String> headers, byte[] rawBody, List<String> chunks,
            boolean terminatingChunkSeen, boolean connectionReset) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean isChunked() {
            return "chunked".equalsIgnoreCase(header("Transfer-Encoding"));
        }

        /** The decoded body: the chunks joined, or the raw body if not chunked. */
        String body() {
            return isChunked() ? String.join("", chunks) : new String(rawBody, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code GET target} with {@code Connection: close} and reads until end of stream. */
    static Response get(int port, String target, int readTimeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(readTimeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            boolean reset = false;
            try {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                reset = true; // e.g. "Connection reset": the server dropped the connection
            }
            return parse(all.toByteArray(), reset);
        }
    }

    private static Response parse(byte[] bytes, boolean reset) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            throw new IllegalStateException("no complete header block in: " + text);
        }
        String[] lines = text.substring(0, headerEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, headerEnd + 4, bytes.length);
        List<String> chunks = new ArrayList<>();
        boolean terminated = false;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            int pos = 0;
            while (pos < body.length) {
                int lineEnd = indexOf(body, pos);
                if (lineEnd < 0) {
                    break;
                }
                String sizeLine = new String(body, pos, lineEnd - pos, StandardCharsets.US_ASCII);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                int dataStart = lineEnd + 2;
                if (size == 0) {
                    terminated = body.length >= dataStart + 2
                            && body[dataStart] == '\r' && body[dataStart + 1] == '\n';
                    break;
                }
                if (dataStart + size + 2 > body.length) {
                    break; // truncated inside a chunk
                }
                chunks.add(new String(body, dataStart, size, StandardCharsets.UTF_8));
                pos = dataStart + size + 2;
            }
        }
        return new Response(status, headers, body, chunks, terminated, reset);
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
