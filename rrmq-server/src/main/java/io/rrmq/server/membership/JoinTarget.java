package io.rrmq.server.membership;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rrmq.server.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a joining node learns from the members of the cluster it joins, through their public
 * {@code GET /status}: the cluster's id, and the member list, where an admin's {@code members add}
 * makes this node appear with the id it was given.
 */
public final class JoinTarget {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /**
     * One node's view: the cluster id, the members' ids by URL, and their Raft addresses by id.
     */
    public record View(String clusterId, Map<String, Integer> idsByUrl, Map<Integer, String> addresses) {
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final List<String> candidates = new ArrayList<>();

    /** @param memberUrl the {@code --join} URL: any member */
    public JoinTarget(String memberUrl) {
        candidates.add(stripSlash(memberUrl));
    }

    /**
     * Asks the known members in turn for their view; the first that answers wins, and the members it
     * lists are asked next time too (so the join survives the first one going away).
     */
    public Optional<View> ask() {
        for (String url : List.copyOf(candidates)) {
            try {
                HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(url + "/status"))
                        .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    continue;
                }
                View view = parse(response.body());
                for (String member : view.idsByUrl().keySet()) {
                    if (!candidates.contains(member)) {
                        candidates.add(member);
                    }
                }
                return Optional.of(view);
            } catch (IOException | IllegalArgumentException e) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    static View parse(byte[] body) throws IOException {
        String clusterId = null;
        Map<String, Integer> ids = new LinkedHashMap<>();
        Map<Integer, String> addresses = new LinkedHashMap<>();
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a status document");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("clusterId") && value == JsonToken.VALUE_STRING) {
                    clusterId = p.getText();
                } else if (field.equals("members") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        int id = -1;
                        String url = null;
                        String address = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken v = p.nextToken();
                            if (name.equals("id") && v == JsonToken.VALUE_NUMBER_INT) {
                                id = p.getIntValue();
                            } else if (name.equals("url") && v == JsonToken.VALUE_STRING) {
                                url = p.getText();
                            } else if (name.equals("address") && v == JsonToken.VALUE_STRING) {
                                address = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (id >= 0 && url != null) {
                            ids.put(stripSlash(url), id);
                            addresses.put(id, address != null && !address.isEmpty() ? address : url);
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        if (clusterId == null) {
            throw new IOException("the status names no cluster id");
        }
        return new View(clusterId, ids, addresses);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
