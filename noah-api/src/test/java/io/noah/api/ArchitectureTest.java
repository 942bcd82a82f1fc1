package io.noah.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The module layering of docs/architecture.md, held by a test. */
class ArchitectureTest {

    private final JavaClasses noah = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.noah");

    @Test
    void modulesHaveNoCycles() {
        slices().matching("io.noah.(*)..").should().beFreeOfCycles().check(noah);
    }

    @Test
    void onlyNoahClusterUsesTheFabric8Client() {
        noClasses().that().resideOutsideOfPackage("io.noah.cluster..")
                .should().dependOnClassesThat().resideInAPackage("io.fabric8.kubernetes.client..")
                .check(noah);
    }

    @Test
    void restDtosCarryNoFabric8Types() {
        noClasses().that().resideInAPackage("io.noah.api.web..")
                .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
                .check(noah);
    }

    @Test
    void featureModulesDoNotDependOnEachOther() {
        for (String f : new String[]{"release", "hpa", "events", "console"}) {
            noClasses().that().resideInAPackage("io.noah." + f + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(
                            java.util.Arrays.stream(new String[]{"release", "hpa", "events", "console", "api"})
                                    .filter(o -> !o.equals(f)).map(o -> "io.noah." + o + "..").toArray(String[]::new))
                    .allowEmptyShould(true)
                    .check(noah);
        }
    }

    @Test
    void noahClusterDoesNotDependOnTheServer() {
        noClasses().that().resideInAPackage("io.noah.cluster..").should().dependOnClassesThat()
                .resideInAnyPackage("io.noah.api..", "org.springframework..").check(noah);
    }

    /** springdoc names a schema by its simple name (or @Schema's): two records of one name would share one schema. */
    @Test
    void restDtoSchemaNamesAreUnique() {
        java.util.Map<String, String> seen = new java.util.HashMap<>();
        for (var c : noah) {
            if (c.getPackageName().equals("io.noah.api.web.dto") && c.isRecord()) {
                var schema = c.reflect().getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
                String name = schema != null && !schema.name().isEmpty() ? schema.name() : c.getSimpleName();
                String other = seen.put(name, c.getName());
                org.assertj.core.api.Assertions.assertThat(other).as("schema name " + name + " of " + c.getName()).isNull();
            }
        }
    }
}
