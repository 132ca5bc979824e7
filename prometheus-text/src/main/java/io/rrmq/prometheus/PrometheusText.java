package io.rrmq.prometheus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (prometheus.io, "Exposition
 * formats"): it refuses what a Prometheus server would refuse and a few things it would merely
 * tolerate (a sample before its TYPE, interleaved families, duplicate series, a histogram whose
 * buckets are not cumulative or lack {@code +Inf}), so that nothing is concluded from a reply it
 * misread. {@code rrmq metrics} summarises a node with it and rrmq-server's tests check
 * {@code /metrics} with it; the Prometheus Java client has no text-format parser.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String name) {
            return labels.get(name);
        }
    }

    /** One metric family: its TYPE, HELP and samples in order. */
    public record Family(String name, String type, String help, List<Sample> samples) {
        /** The samples named {@code name} (e.g. {@code x_count}) whose labels include {@code labels}. */
        public List<Sample> samples(String sampleName, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(sampleName)
                    && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        }
    }

    private PrometheusText() {
    }

    /** Parses {@code text}, or throws {@link IllegalArgumentException} naming the first offending line. */
    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line does not end with a newline");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> finished = new HashSet<>();
        Set<String> series = new HashSet<>();
        Family current = null;
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + lineNumber + " '" + line + "': ";
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
                    require(!finished.contains(name), where + "family " + name + " appears twice");
                    if (current == null || !current.name().equals(name)) {
                        if (current != null) {
                            finished.add(current.name());
                        }
                        current = new Family(name, "untyped", null, new ArrayList<>());
                        require(!families.containsKey(name), where + "family " + name + " appears twice");
                        families.put(name, current);
                    }
                    require(current.samples().isEmpty(), where + "HELP/TYPE after samples");
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("TYPE")) {
                        require(TYPES.contains(rest), where + "unknown type");
                        current = new Family(name, rest, current.help(), current.samples());
                    } else {
                        current = new Family(name, current.type(), unescape(rest, false, where), current.samples());
                    }
                    families.put(name, current);
                }
                continue; // other comments are allowed
            }
            Sample sample = sample(line, where);
            require(current != null && belongs(sample.name(), current), where + "sample outside its family");
            require(series.add(sample.name() + new TreeMap<>(sample.labels())), where + "duplicate series");
            if (current.type().equals("counter") || sample.name().endsWith("_count")
                    || sample.name().endsWith("_bucket")) {
                require(sample.value() >= 0 || Double.isNaN(sample.value()), where + "negative count");
            }
            current.samples().add(sample);
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram")) {
                checkHistogram(f);
            }
        }
        return families;
    }

    private static boolean belongs(String sampleName, Family family) {
        String n = family.name();
        switch (family.type()) {
            case "histogram":
                return sampleName.equals(n + "_bucket") || sampleName.equals(n + "_sum")
                        || sampleName.equals(n + "_count") || sampleName.equals(n + "_created");
            case "summary":
                return sampleName.equals(n) || sampleName.equals(n + "_sum") || sampleName.equals(n + "_count")
                        || sampleName.equals(n + "_created");
            case "counter":
                return sampleName.equals(n) || sampleName.equals(n + "_created");
            default:
                return sampleName.equals(n);
        }
    }

    /** Buckets cumulative, ascending, ending in +Inf which equals _count, per label set. */
    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> byLabels = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            if (s.name().endsWith("_bucket")) {
                Map<String, String> key = new TreeMap<>(s.labels());
                require(key.remove("le") != null, f.name() + ": bucket without le");
                byLabels.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<Map<String, String>, List<Sample>> e : byLabels.entrySet()) {
            double lastBound = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : e.getValue()) {
                double bound = parseValue(b.label("le"), f.name() + ": le");
                require(bound > lastBound, f.name() + e.getKey() + ": le not ascending");
                require(b.value() >= lastCount, f.name() + e.getKey() + ": buckets not cumulative");
                lastBound = bound;
                lastCount = b.value();
            }
            require(lastBound == Double.POSITIVE_INFINITY, f.name() + e.getKey() + ": no +Inf bucket");
            List<Sample> count = f.samples().stream().filter(s -> s.name().equals(f.name() + "_count")
                    && new TreeMap<>(s.labels()).equals(e.getKey())).toList();
            require(count.size() == 1 && count.get(0).value() == lastCount, f.name() + e.getKey()
                    + ": _count differs from the +Inf bucket");
        }
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > i, where + "label without =");
                String label = line.substring(i, eq);
                require(LABEL_NAME.matcher(label).matches() && !label.startsWith("__"), where + "bad label name");
                require(line.charAt(eq + 1) == '"', where + "label value not quoted");
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; ; j++) {
                    require(j < line.length(), where + "unterminated label value");
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        require(next == '\\' || next == '"' || next == 'n', where + "bad escape");
                        value.append(next == 'n' ? '\n' : next);
                    } else if (c == '"') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
                require(labels.put(label, value.toString()) == null, where + "label repeated");
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', where + "expected , or }");
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', where + "no space before the value");
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, where + "expected value [timestamp]");
        double value = parseValue(rest[0], where);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "bad timestamp");
            }
        }
        return new Sample(name, labels, value);
    }

    private static double parseValue(String text, String where) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    require(!text.isEmpty() && !text.contains("_") && !text.endsWith("d") && !text.endsWith("f"),
                            where + "bad value");
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + "bad value " + text);
                }
        }
    }

    private static String unescape(String text, boolean quotes, String where) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                require(i + 1 < text.length(), where + "dangling backslash");
                char next = text.charAt(++i);
                require(next == '\\' || next == 'n' || (quotes && next == '"'), where + "bad escape");
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
