package io.rrmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's nodes as base URLs ({@code http://host:port} or {@code https://host:port}), from a
 * config file or a {@code --nodes} list. Order is kept: the client tries nodes in this order.
 */
public record NodeList(List<URI> nodes) {
    public NodeList {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no nodes");
        }
        nodes = List.copyOf(nodes);
    }

    public int size() {
        return nodes.size();
    }

    public URI get(int index) {
        return nodes.get(index);
    }

    /**
     * Parses {@code URL,URL,...}; each entry is {@code http://host:port}, {@code https://host:port}
     * or {@code host:port} (http).
     */
    public static NodeList parse(String spec) throws UsageException {
        List<URI> out = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            String entry = part.strip();
            if (entry.isEmpty()) {
                if (spec.isBlank()) {
                    break;
                }
                throw new UsageException("--nodes: empty entry in '" + spec + "'");
            }
            out.add(parseUrl(entry, "--nodes"));
        }
        if (out.isEmpty()) {
            throw new UsageException("--nodes: no node given");
        }
        return new NodeList(out);
    }

    /**
     * Reads the server's config format, {@code {"addresses": [{"ip": "http://127.0.0.1" or
     * "127.0.0.1", "port": 8567}, ...]}}; extra keys are ignored. With a top-level {@code "tls"}
     * object the nodes speak HTTPS, and an {@code ip} without a scheme means {@code https://}.
     */
    public static NodeList fromConfig(Path file, ObjectMapper json) throws UsageException {
        JsonNode root;
        try {
            root = json.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new UsageException("config file not found: " + file + " (pass --config FILE or --nodes URL,...)");
        } catch (IOException e) {
            throw new UsageException("cannot read config " + file + ": " + e.getMessage(), e);
        }
        JsonNode addresses = root == null ? null : root.get("addresses");
        if (addresses == null || !addresses.isArray() || addresses.isEmpty()) {
            throw new UsageException("config " + file + ": expected a non-empty \"addresses\" array");
        }
        String defaultScheme = root.has("tls") ? "https" : "http";
        List<URI> out = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            JsonNode entry = addresses.get(i);
            JsonNode ip = entry.get("ip");
            JsonNode port = entry.get("port");
            if (ip == null || !ip.isTextual() || port == null || !port.canConvertToInt()) {
                throw new UsageException("config " + file + ": addresses[" + i
                        + "] needs a string \"ip\" and an integer \"port\"");
            }
            out.add(parseUrl(ip.asText() + ":" + port.asInt(), "config " + file + " addresses[" + i + "]",
                    defaultScheme));
        }
        return new NodeList(out);
    }

    /** {@code host:port}, {@code http://host:port[/]} or {@code https://...} as {@code scheme://host:port}. */
    static URI parseUrl(String text, String where) throws UsageException {
        return parseUrl(text, where, "http");
    }

    private static URI parseUrl(String text, String where, String defaultScheme) throws UsageException {
        String withScheme = text.contains("://") ? text : defaultScheme + "://" + text;
        try {
            URI uri = new URI(withScheme);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new UsageException(where + ": only http:// and https:// are supported: " + text);
            }
            if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
                throw new UsageException(where + ": expected host:port, got '" + text + "'");
            }
            String path = uri.getRawPath();
            if (path != null && !path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null) {
                throw new UsageException(where + ": a node address has no path: " + text);
            }
            return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new UsageException(where + ": not a node address: '" + text + "'", e);
        }
    }
}
