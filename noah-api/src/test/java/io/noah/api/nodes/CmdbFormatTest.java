package io.noah.api.nodes;

import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.NodeLabelSync;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CmdbFormatTest {

    @Test
    void jsonEntriesOrAnObjectOfNodes() {
        assertThat(CmdbFormat.parse("[{\"cluster\":\"a\",\"node\":\"n1\",\"labels\":{\"rack\":\"r1\"}},{\"node\":\"n2\"}]", "application/json"))
                .containsExactly(new NodeLabelSync.Entry("a", "n1", Map.of("rack", "r1")), new NodeLabelSync.Entry(null, "n2", Map.of()));
        assertThat(CmdbFormat.parse(" {\"n1\":{\"rack\":\"r1\"},\"n2\":null}", null))
                .containsExactly(new NodeLabelSync.Entry(null, "n1", Map.of("rack", "r1")), new NodeLabelSync.Entry(null, "n2", Map.of()));
    }

    @Test
    void csvWithAHeaderQuotesAndEmptyCells() {
        String csv = "cluster,node,rack,machine-type\r\na,n1,r1,\"c6.2x,large\"\nb,n2,,m6\n\n,n3,r3,\n";
        assertThat(CmdbFormat.parse(csv, "text/csv")).containsExactly(
                new NodeLabelSync.Entry("a", "n1", Map.of("rack", "r1", "machine-type", "c6.2x,large")),
                new NodeLabelSync.Entry("b", "n2", Map.of("machine-type", "m6")),
                new NodeLabelSync.Entry(null, "n3", Map.of("rack", "r3")));
        assertThat(CmdbFormat.parse("node\nn1", "text/csv")).containsExactly(new NodeLabelSync.Entry(null, "n1", Map.of()));
        assertThat(CmdbFormat.parse("", "text/csv")).isEmpty();
        assertThat(CmdbFormat.parse("node,a\"b\nn1,\"x\"\"y\"", "text/csv").getFirst().labels()).containsEntry("a\"b", "x\"y");
    }

    @Test
    void badDataIsAProblemNotAPartialSync() {
        for (String[] bad : List.of(new String[]{"{", "application/json"}, new String[]{"[1]", "application/json"},
                new String[]{"[{\"node\":1}]", "application/json"}, new String[]{"[{\"node\":\"n\",\"labels\":{\"a\":1}}]", "application/json"},
                new String[]{"[{\"node\":\"n\",\"cluster\":2}]", "application/json"}, new String[]{"\"x\"", "application/json"},
                new String[]{"[{\"node\":\"n\",\"labels\":[]}]", "application/json"},
                new String[]{"rack\nr1", "text/csv"}, new String[]{"node,rack\nn1", "text/csv"}, new String[]{"node\n\"n1", "text/csv"})) {
            assertThatThrownBy(() -> CmdbFormat.parse(bad[0], bad[1])).as(bad[0]).isInstanceOf(NoahException.class)
                    .extracting(e -> ((NoahException) e).reason()).isEqualTo(NoahException.Reason.INVALID_ARGUMENT);
        }
    }

    @Test
    void theUrlIsHttpWithAHostAndNoCredentials() {
        assertThat(NodeLabelsService.checked("https://cmdb.example.com/api/nodes").getHost()).isEqualTo("cmdb.example.com");
        for (String bad : List.of("file:///etc/passwd", "ftp://x/y", "http:///path", "http://user:pw@cmdb/x", "not a url")) {
            assertThatThrownBy(() -> NodeLabelsService.checked(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
