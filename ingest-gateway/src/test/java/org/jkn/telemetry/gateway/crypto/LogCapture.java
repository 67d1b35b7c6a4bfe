package org.jkn.telemetry.gateway.crypto;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the process while open, as text (message, and any throwable with its trace).
 */
final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    String text() {
        StringBuilder s = new StringBuilder();
        synchronized (appender.list) {
            for (ILoggingEvent e : appender.list) {
                s.append(e.getFormattedMessage()).append('\n');
                IThrowableProxy t = e.getThrowableProxy();
                if (t != null) {
                    s.append(ThrowableProxyUtil.asString(t)).append('\n');
                }
            }
        }
        return s.toString();
    }

    int events() {
        return appender.list.size();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
