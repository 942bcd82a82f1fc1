package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TemplatePrintTest {

    private static PodTemplateSpec template(String image, String env) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage(image).addNewEnv().withName("MODE").withValue(env).endEnv()
                .endContainer().endSpec().build();
    }

    @Test
    void namesWhatChangedWithoutKeepingEnvValues() {
        TemplatePrint before = TemplatePrint.of(template("web:1", "secret-a"));
        assertThat(TemplatePrint.of(template("web:1", "secret-a"))).isEqualTo(before);
        assertThat(TemplatePrint.of(template("web:1", "secret-a")).hash()).isEqualTo(before.hash());
        assertThat(before.toString()).doesNotContain("secret-a");

        TemplatePrint image = TemplatePrint.of(template("web:9", "secret-a"));
        assertThat(image.changesSince(before)).containsExactly("image of container main: web:1 → web:9");
        assertThat(image.hash()).isNotEqualTo(before.hash());
        assertThat(TemplatePrint.of(template("web:1", "secret-b")).changesSince(before)).containsExactly("env of container main");

        PodTemplateSpec annotated = template("web:1", "secret-a");
        annotated.getMetadata().setAnnotations(java.util.Map.of("kubectl.kubernetes.io/restartedAt", "now"));
        assertThat(TemplatePrint.of(annotated).changesSince(before)).containsExactly("other fields of the pod template");
    }
}
