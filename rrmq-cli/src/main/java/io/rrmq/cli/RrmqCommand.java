package io.rrmq.cli;

import io.rrmq.auth.AdminSignature;
import io.rrmq.auth.KeyText;
import java.nio.file.Files;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top command, {@code rrmq}: the options every subcommand shares (they may be given before or
 * after the subcommand's name) and what the subcommands are built from.
 */
@Command(name = "rrmq", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Command-line client of an RRMQ cluster: finds the leader, follows its hints and"
                + " retries safely (every write carries one request id on all of its retries).",
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  rrmq create-topic orders",
            "  rrmq put orders 'hello'            # or: echo hello | rrmq put orders",
            "  rrmq get orders                    # pops the oldest message, prints it raw",
            "  rrmq --nodes 127.0.0.1:8567,127.0.0.1:8568 status",
            "  rrmq --cacert ca.pem --nodes https://127.0.0.1:8567 topics",
            "  rrmq topics --json",
            "  source <(rrmq completion)          # bash completion",
            "",
            "Nodes come from --nodes, else $RRMQ_NODES, else --config (default ./config.json).",
            ExitCode.HELP})
public final class RrmqCommand implements Runnable {
    public static final String NODES_ENV = "RRMQ_NODES";
    public static final String TOKEN_ENV = "RRMQ_TOKEN";
    static final String DEFAULT_CONFIG = "config.json";
    /** The options above that take a value (as a separate argument when not written {@code --name=value}). */
    static final java.util.Set<String> OPTIONS_WITH_VALUE = java.util.Set.of("--config", "--nodes", "--cacert",
            "--timeout", "--request-timeout", "--token", "--cluster-key");
    /** Where the nodes look for the cluster key by default (their own names for it). */
    static final String CLUSTER_KEY_ENV = "RRMQ_CLUSTER_KEY_FILE";
    static final String DATA_DIR_ENV = "RRMQ_DATA_DIR";
    static final String DEFAULT_DATA_ROOT = "rrmq-data";

    private final CliContext context;
    /** Created at first use: {@code --help} and commands that print no JSON never pay for it. */
    private ObjectMapper json;

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Cluster config: {\"addresses\":[{\"ip\":\"127.0.0.1\",\"port\":8567},...]}"
                    + " (default: ./config.json).")
    private Path config;

    @Option(names = "--nodes", paramLabel = "URL[,URL...]", scope = ScopeType.INHERIT,
            description = "Nodes to talk to, e.g. 127.0.0.1:8567,http://127.0.0.1:8568 or https://... (overrides --config).")
    private String nodes;

    @Option(names = "--cacert", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "PEM file of the CA certificate(s) to trust for https:// nodes (default: the JDK's CAs).")
    private Path caCert;

    @Option(names = "--timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT,
            converter = DurationConverter.class,
            description = "Give up after this long, retries included (default: 10s).")
    private Duration timeout;

    @Option(names = "--request-timeout", paramLabel = "DURATION", scope = ScopeType.INHERIT,
            converter = DurationConverter.class,
            description = "Limit of one HTTP request (default: 4s).")
    private Duration requestTimeout;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
            description = "Client token, sent as Authorization: Bearer TOKEN (default: $RRMQ_TOKEN).")
    private String token;

    @Option(names = "--cluster-key", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The cluster key, to sign admin commands (members, leader) with: default"
                    + " $RRMQ_CLUSTER_KEY_FILE, else <data root>/<cluster-id>/cluster.key of --config.")
    private Path clusterKey;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print one JSON document on stdout, also for failures.")
    private boolean jsonOutput;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log every attempt (node, status, pauses) on stderr.")
    private boolean verbose;

    public RrmqCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command (see rrmq --help)");
    }

    public CliContext context() {
        return context;
    }

    public ObjectMapper json() {
        if (json == null) {
            json = new ObjectMapper();
        }
        return json;
    }

    public Output output() {
        return new Output(jsonOutput, context.out(), context.err(), this::json);
    }

    /**
     * The nodes to talk to: {@code --nodes}, else {@code $RRMQ_NODES}, else {@code --config}, else
     * {@code ./config.json}. An explicit {@code --config} wins over the environment variable.
     */
    public NodeList nodeList() throws UsageException {
        if (nodes != null) {
            return NodeList.parse(nodes);
        }
        String fromEnv = context.env().get(NODES_ENV);
        if (config == null && fromEnv != null && !fromEnv.isBlank()) {
            return NodeList.parse(fromEnv);
        }
        return NodeList.fromConfig(config != null ? config : Path.of(DEFAULT_CONFIG), json());
    }

    public RetryPolicy retryPolicy() {
        return RetryPolicy.of(timeout != null ? timeout : RetryPolicy.DEFAULT_TIMEOUT,
                requestTimeout != null ? requestTimeout : RetryPolicy.DEFAULT_REQUEST_TIMEOUT);
    }

    /** A client for this command line's nodes and timeouts; with {@code --verbose} it traces to stderr. */
    public ClusterClient clusterClient(Output output) throws UsageException {
        return clusterClient(output, retryPolicy());
    }

    /**
     * A client with {@code policy}; admin requests are signed with the cluster key when it can be
     * read, as {@code rabbitmqctl} uses the Erlang cookie.
     */
    public ClusterClient clusterClient(Output output, RetryPolicy policy) throws UsageException {
        String chosen = token != null ? token : context.env().get(TOKEN_ENV);
        javax.net.ssl.SSLContext tls = caCert == null ? null : CaCertificates.trusting(caCert);
        return new ClusterClient(nodeList(), policy, new SplittableRandom(),
                verbose ? output::trace : line -> { }, tls,
                Optional.ofNullable(chosen).map(String::strip).filter(t -> !t.isEmpty()), adminSigner(output, tls));
    }

    /** Whether the user set {@code --request-timeout}; a command that refreshes may choose a shorter default. */
    public boolean requestTimeoutGiven() {
        return requestTimeout != null;
    }

    /** Whether the user set {@code --timeout}; commands that wait long choose their own default otherwise. */
    public boolean timeoutGiven() {
        return timeout != null;
    }

    /**
     * The cluster key's signer, looked for at the first admin request: {@code --cluster-key} (which
     * must be readable: checked now), else {@code $RRMQ_CLUSTER_KEY_FILE}, else
     * {@code <data root>/<cluster-id>/cluster.key} with the cluster id a node reports in {@code /status}
     * (the nodes' default, for a cluster on this machine). Null when none can be read.
     */
    private Supplier<AdminSignature> adminSigner(Output output, javax.net.ssl.SSLContext tls) throws UsageException {
        if (clusterKey != null) {
            AdminSignature given = readKey(clusterKey);
            if (given == null) {
                throw new UsageException("cannot read the cluster key " + clusterKey);
            }
            return () -> given;
        }
        return () -> {
            String fromEnv = context.env().get(CLUSTER_KEY_ENV);
            Path file;
            if (fromEnv != null && !fromEnv.isBlank()) {
                file = Path.of(fromEnv);
            } else {
                String id;
                try {
                    RetryPolicy policy = retryPolicy();
                    id = ClusterKeyLocator.clusterId(new HttpExchanger(policy.connectTimeout(), tls), nodeList(),
                            policy.requestTimeout(), json());
                } catch (UsageException e) {
                    return null;
                }
                if (id == null) {
                    return null;
                }
                String root = context.env().get(DATA_DIR_ENV);
                file = Path.of(root != null && !root.isBlank() ? root : DEFAULT_DATA_ROOT).resolve(id).resolve("cluster.key");
            }
            AdminSignature found = readKey(file);
            if (found == null && verbose) {
                output.trace("no usable cluster key at " + file + ": admin requests go unsigned");
            }
            return found;
        };
    }

    private static AdminSignature readKey(Path file) {
        try {
            return new AdminSignature(KeyText.parse(Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
