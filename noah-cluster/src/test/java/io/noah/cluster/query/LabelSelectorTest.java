package io.noah.cluster.query;

import io.noah.cluster.model.NoahException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelSelectorTest {

    private static final Map<String, String> LABELS = Map.of("app", "shop", "tier", "web", "noah.io/version", "v2");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|true", "app=shop|true", "app==shop|true", "app=pay|false", "app!=pay|true", "app!=shop|false",
            "tier in (web,api)|true", "tier in (api)|false", "tier notin (api)|true", "tier notin (web, api)|false",
            "missing notin (x)|true", "missing in (x)|false", "app|true", "missing|false", "!missing|true", "!app|false",
            "app=shop,tier=web|true", "app=shop,tier=api|false", "noah.io/version=v2|true", " app = shop , tier in ( web ) |true",
            "missing!=x|true"})
    void matches(String selector, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(LABELS)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a in (", "a in b)", "a,,b", "a,", "bad key!", "a=b=c", "a in ()", "-a=b", "a===b", "a=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"})
    void rejects(String selector) {
        assertThatThrownBy(() -> LabelSelector.parse(selector)).isInstanceOf(NoahException.class)
                .satisfies(e -> assertThat(((NoahException) e).reason()).isEqualTo(NoahException.Reason.INVALID_SELECTOR));
    }
}
