/**
 * The scheduler on any backend: cron parsing (cron-utils), the runner's leader election on the
 * backend's lock operations, and the firing of ticks through the schedule operations.
 */
@NullMarked
package dev.gander.internal.schedule;

import org.jspecify.annotations.NullMarked;
