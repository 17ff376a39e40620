/**
 * The entry point of Gander's PostgreSQL backend for {@link java.util.ServiceLoader}: {@link
 * dev.gander.postgres.PostgresProvider}. Applications do not use it directly; they add the {@code
 * dev.gander:gander-postgres} dependency and open {@code
 * Gander.builder().postgres("jdbc:postgresql://...").open()}.
 */
@NullMarked
package dev.gander.postgres;

import org.jspecify.annotations.NullMarked;
