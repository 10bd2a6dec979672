package io.lethe.demo;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every log line at INFO or above that reaches the root logger while it is open, with its
 * exception's stack trace, as the configured loggers let it through (Lethe at INFO, libraries at
 * WARN, as in {@code deploy/logging/log4j2.properties}).
 */
final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Appender appender = new Appender();

  LogCapture() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    appender.start();
    context.getConfiguration().getRootLogger().addAppender(appender, Level.INFO, null);
    context.updateLoggers();
  }

  /** The lines captured so far: level, logger, message and stack trace. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }

  private final class Appender extends AbstractAppender {
    Appender() {
      super("lethe-test-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      StringBuilder line = new StringBuilder();
      line.append(event.getLevel())
          .append(' ')
          .append(event.getLoggerName())
          .append(" - ")
          .append(event.getMessage().getFormattedMessage());
      if (event.getThrown() != null) {
        StringWriter trace = new StringWriter();
        event.getThrown().printStackTrace(new PrintWriter(trace));
        line.append('\n').append(trace);
      }
      lines.add(line.toString());
    }
  }
}
