/**
 * The PostgreSQL backend: migrations, the transaction runner over a {@link javax.sql.DataSource},
 * the job operations and the LISTEN/NOTIFY wake-up. Not API.
 */
@NullMarked
package dev.gander.internal.postgres;

import org.jspecify.annotations.NullMarked;
