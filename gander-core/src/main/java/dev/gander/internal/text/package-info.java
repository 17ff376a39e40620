/** Text helpers that every part may use, the event log included: sizes of strings in UTF-8. */
@NullMarked
package dev.gander.internal.text;

import org.jspecify.annotations.NullMarked;
