/**
 * Cron schedules that enqueue jobs: tasks kept in the database, fired by whichever process holds
 * the scheduler lock.
 *
 * <p>Add a {@link dev.gander.schedule.ScheduledTask} with {@link
 * dev.gander.schedule.Scheduler#add}; start a {@link dev.gander.schedule.SchedulerRunner} in as
 * many processes as you like with {@link dev.gander.schedule.Scheduler#start}. One of them leads
 * and fires; each tick enqueues its job exactly once, whichever process fires it.
 */
@NullMarked
package dev.gander.schedule;

import org.jspecify.annotations.NullMarked;
