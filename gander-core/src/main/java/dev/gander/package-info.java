/**
 * The Gander API: open a database with {@link dev.gander.Gander#open(java.nio.file.Path)} and use
 * it from any thread.
 *
 * <p>Every failure is reported as an unchecked {@link dev.gander.GanderException}, one subclass per
 * thing a caller can act on. Nothing in this package returns {@code null}.
 */
@NullMarked
package dev.gander;

import org.jspecify.annotations.NullMarked;
