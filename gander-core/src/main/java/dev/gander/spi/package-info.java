/**
 * How the API finds a backend: {@link dev.gander.spi.GanderProvider}, implemented by Gander's own
 * backend modules (SQLite in gander-core, PostgreSQL in gander-postgres) and found with {@link
 * java.util.ServiceLoader}. Applications neither implement nor call it; they open a Gander with
 * {@link dev.gander.Gander#builder()}.
 */
@NullMarked
package dev.gander.spi;

import org.jspecify.annotations.NullMarked;
