package dev.gander.spi;

import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogConfig;
import java.util.ServiceLoader;

/**
 * Makes the event logs behind {@link EventLog#open(EventLogConfig)} and {@link
 * EventLog#on(Gander)}. Implemented by gander-core and found with {@link ServiceLoader}, so that
 * the API never names an implementation class. Not for applications.
 */
public interface EventLogProvider {
  /**
   * Opens the event log a configuration describes.
   *
   * @param config the configuration
   * @return the open event log
   */
  EventLog open(EventLogConfig config);

  /**
   * An event log over an open Gander, which it does not close.
   *
   * @param gander the database
   * @return the event log
   */
  EventLog on(Gander gander);

  /**
   * Finds the provider on the class path or module path.
   *
   * @return the provider
   * @throws GanderException if none is there (gander-core is incomplete)
   */
  static EventLogProvider find() {
    for (EventLogProvider p :
        ServiceLoader.load(EventLogProvider.class, EventLogProvider.class.getClassLoader())) {
      return p;
    }
    throw new GanderException(
        "No event log implementation is on the class path: gander-core's"
            + " META-INF/services/dev.gander.spi.EventLogProvider is missing (a shaded jar that"
            + " drops service files?).");
  }
}
