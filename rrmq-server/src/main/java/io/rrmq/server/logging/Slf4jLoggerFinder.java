package io.rrmq.server.logging;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes {@link System.Logger} (what raft-lib logs through, to stay free of dependencies) to SLF4J,
 * so the whole node logs through one logback configuration in one format. Registered as a service
 * in {@code META-INF/services/java.lang.System$LoggerFinder}; the JDK finds it on first use.
 */
public final class Slf4jLoggerFinder extends System.LoggerFinder {

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Slf4jSystemLogger(LoggerFactory.getLogger(name));
    }

    private static final class Slf4jSystemLogger implements System.Logger {
        private final Logger delegate;

        Slf4jSystemLogger(Logger delegate) {
            this.delegate = delegate;
        }

        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            switch (level) {
                case ALL:
                case TRACE:
                    return delegate.isTraceEnabled();
                case DEBUG:
                    return delegate.isDebugEnabled();
                case INFO:
                    return delegate.isInfoEnabled();
                case WARNING:
                    return delegate.isWarnEnabled();
                case ERROR:
                    return delegate.isErrorEnabled();
                default:
                    return false; // OFF
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) {
                emit(level, msg, thrown);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                String msg = params == null || params.length == 0 ? format
                        : MessageFormat.format(format, params);
                emit(level, msg, null);
            }
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            if (isLoggable(level)) {
                emit(level, msgSupplier.get(), null);
            }
        }

        private void emit(Level level, String msg, Throwable thrown) {
            switch (level) {
                case ALL:
                case TRACE:
                    delegate.trace(msg, thrown);
                    break;
                case DEBUG:
                    delegate.debug(msg, thrown);
                    break;
                case INFO:
                    delegate.info(msg, thrown);
                    break;
                case WARNING:
                    delegate.warn(msg, thrown);
                    break;
                case ERROR:
                    delegate.error(msg, thrown);
                    break;
                default:
                    break;
            }
        }
    }
}
