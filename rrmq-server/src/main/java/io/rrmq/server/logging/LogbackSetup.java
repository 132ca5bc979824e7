package io.rrmq.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The node's logging set-up, in code: one console appender, INFO, pattern
 * {@value #PATTERN}; Undertow, XNIO and JBoss internals at WARN.
 *
 * <p>In code rather than in {@code logback.xml} because parsing XML (Joran) costs about 150-300 ms
 * of class loading at start-up, and a node must answer HTTP well within a second of being spawned.
 * Registered through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}, which logback
 * consults before looking for XML.
 *
 * <p>Overrides: {@code -Drrmq.log.level=DEBUG} changes the root level; {@code -Drrmq.log.json=true}
 * writes JSON lines (logback's {@link JsonEncoder}) instead of the pattern; with
 * {@code -Dlogback.configurationFile=FILE} this class steps aside and logback reads FILE as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogbackSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} [%thread] %-5level %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Encoder<ILoggingEvent> encoder;
        if (Boolean.getBoolean("rrmq.log.json")) {
            // One JSON object per line for log shippers: logback's own encoder (timestamp, level,
            // logger, thread, message, throwable).
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithFormattedMessage(true); // the line as text, not the {} pattern and its arguments
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithContext(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.start();
            encoder = json;
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setContext(context);
            pattern.setPattern(PATTERN);
            pattern.start();
            encoder = pattern;
        }

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setEncoder(encoder);
        console.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("rrmq.log.level"), Level.INFO));
        root.addAppender(console);
        for (String noisy : new String[] {"io.undertow", "org.xnio", "org.jboss"}) {
            context.getLogger(noisy).setLevel(Level.WARN);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
