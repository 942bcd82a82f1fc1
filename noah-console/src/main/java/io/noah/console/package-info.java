/** Web terminal and batch exec (capability 5). */
package io.noah.console;
