package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.WorkerOptions;
import dev.gander.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every public method called after {@code close()} throws {@link GanderClosedException}, on every
 * backend. Checked by reflection over the whole public surface, so that a method added later is
 * checked too. A backend's subclass opens the instance.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class ClosedRuleContract {
  /**
   * Opens a new instance, which the test closes.
   *
   * @return the instance
   */
  protected abstract Gander open();

  /** Methods that only describe a handle, and close itself: they work after close. */
  private static final Set<String> EXEMPT =
      Set.of(
          "close",
          "isClosed",
          "toString",
          "hashCode",
          "equals",
          "getClass",
          "name",
          "options",
          "path",
          "store",
          "results",
          // a subscription's or listener's own state, read from memory
          "consumer",
          "channel",
          // a held lock's own data
          "owner",
          "expiresAt",
          "position",
          // a claimed job's own data, read from memory
          "id",
          "queue",
          "payloadJson",
          "payloadAs",
          "attempt",
          "maxAttempts",
          "priority",
          "enqueuedAt",
          "lastError",
          "fencingToken",
          "workerId",
          "leaseExpiresAt",
          "isSettled");

  @Test
  void everyPublicMethodAfterCloseThrowsGanderClosed() throws Exception {
    Gander gander = open();
    Queue queue = gander.queue("jobs", QueueOptions.defaults());
    queue.enqueue("a");
    Job job = queue.claim("w").orElseThrow();
    Store store = gander.store();
    dev.gander.stream.Stream stream = gander.stream("events");
    stream.publish("k", 1);
    dev.gander.stream.Subscription subscription = stream.subscribe("reader");
    dev.gander.pubsub.Listener listener = gander.listen("news");
    dev.gander.lock.Lock lock = gander.tryLock("guard", "me", Duration.ofMinutes(1)).orElseThrow();
    gander.close();

    List<String> checked = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    check(Gander.class, gander, checked, wrong);
    check(Queue.class, queue, checked, wrong);
    try {
      queue.ackAll(List.of(job));
      wrong.add("Queue.ackAll of a claimed job");
    } catch (GanderClosedException expected) {
      checked.add("Queue.ackAll of a claimed job");
    }
    check(dev.gander.queue.Results.class, gander.results(), checked, wrong);
    check(Job.class, job, checked, wrong);
    check(Store.class, store, checked, wrong);
    check(dev.gander.stream.Stream.class, stream, checked, wrong);
    check(dev.gander.stream.Subscription.class, subscription, checked, wrong);
    check(dev.gander.pubsub.Listener.class, listener, checked, wrong);
    check(dev.gander.lock.Lock.class, lock, checked, wrong);
    assertThat(wrong).as("methods that did not throw GanderClosedException").isEmpty();
    assertThat(checked)
        .contains(
            "Queue.enqueue",
            "Queue.poll",
            "Job.ack",
            "Store.write",
            "Stream.publish",
            "Subscription.next",
            "Gander.stream",
            "Gander.notify",
            "Gander.listen",
            "Listener.poll",
            "Listener.take",
            "Gander.tryLock",
            "Gander.rateLimit",
            "Lock.heartbeat",
            "Lock.release");
  }

  private static void check(Class<?> api, Object target, List<String> checked, List<String> wrong)
      throws IllegalAccessException {
    for (Method m : api.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || EXEMPT.contains(m.getName())) {
        continue;
      }
      Object[] args = new Object[m.getParameterCount()];
      Class<?>[] types = m.getParameterTypes();
      boolean possible = true;
      for (int i = 0; i < types.length; i++) {
        Object arg = sample(types[i]);
        if (arg == NONE) {
          possible = false;
        }
        args[i] = arg;
      }
      if (!possible) {
        continue;
      }
      String name = api.getSimpleName() + "." + m.getName();
      checked.add(name);
      try {
        Object r = m.invoke(target, args);
        if (r instanceof java.util.concurrent.CompletableFuture) {
          try {
            ((java.util.concurrent.CompletableFuture<?>) r).get();
            wrong.add(name + " (future completed)");
          } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof GanderClosedException)) {
              wrong.add(name + " (future failed with " + e.getCause() + ")");
            }
          } catch (InterruptedException e) {
            fail("interrupted");
          }
        } else {
          wrong.add(name + " (returned " + r + ")");
        }
      } catch (InvocationTargetException e) {
        if (!(e.getCause() instanceof GanderClosedException)) {
          wrong.add(name + " (threw " + e.getCause() + ")");
        }
      }
    }
  }

  private static final Object NONE = new Object();

  private static Object sample(Class<?> type) {
    if (type == String.class) {
      return "x";
    }
    if (type == int.class) {
      return 1;
    }
    if (type == long.class) {
      return 1L;
    }
    if (type == Duration.class) {
      return Duration.ofMillis(10);
    }
    if (type == Instant.class) {
      return Instant.now();
    }
    if (type == Object.class) {
      return "payload";
    }
    if (type == List.class) {
      return List.of("a");
    }
    if (type == java.util.Map.class) {
      return java.util.Map.of();
    }
    if (type == JobId.class) {
      return JobId.of(1);
    }
    if (type == EnqueueOptions.class) {
      return EnqueueOptions.defaults();
    }
    if (type == QueueOptions.class) {
      return QueueOptions.defaults();
    }
    if (type == WorkerOptions.class) {
      return WorkerOptions.builder().build();
    }
    if (type == Class.class) {
      return String.class;
    }
    if (type == dev.gander.store.Transaction.class) {
      return NONE; // no transaction can be had from a closed database
    }
    if (type.isInterface() && type.getName().startsWith("dev.gander")) {
      // A handler or function: never called, because the call must fail first.
      return Proxy.newProxyInstance(
          type.getClassLoader(),
          new Class<?>[] {type},
          (p, method, a) -> {
            throw new AssertionError(type.getSimpleName() + " was called after close");
          });
    }
    return NONE;
  }
}
