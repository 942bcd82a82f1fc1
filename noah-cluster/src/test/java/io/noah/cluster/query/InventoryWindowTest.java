package io.noah.cluster.query;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The slice of one cluster's records a page reads: namespace and continue key combined, never an exception. */
class InventoryWindowTest {

    private final TreeMap<String, Integer> records = new TreeMap<>();

    {
        for (String k : new String[]{"a/1", "a/2", "b/1", "b/2", "b/3", "c/1"}) {
            records.put(k, 0);
        }
    }

    @Test
    void keysInsideAndOutsideTheNamespace() {
        assertThat(Inventory.window(records, null, null).keySet()).hasSize(6);
        assertThat(Inventory.window(records, "b", null).keySet()).containsExactly("b/1", "b/2", "b/3");
        assertThat(Inventory.window(records, "b", "b/1").keySet()).containsExactly("b/2", "b/3");
        assertThat(Inventory.window(records, null, "b/3").keySet()).containsExactly("c/1");
        // a key from a crafted token, outside the namespace: before it the whole namespace, after it nothing
        assertThat(Inventory.window(records, "b", "a/9").keySet()).containsExactly("b/1", "b/2", "b/3");
        assertThat(Inventory.window(records, "b", "zzz").keySet()).isEmpty();
        assertThat(Inventory.window(records, "b", "b/\uffff").keySet()).isEmpty();
        assertThat(Inventory.window(records, "b", "").keySet()).containsExactly("b/1", "b/2", "b/3");
    }
}
