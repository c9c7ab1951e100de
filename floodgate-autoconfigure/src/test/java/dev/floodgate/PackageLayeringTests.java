package dev.floodgate;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The packages depend on each other as intended: the rules ({@code core}) see no Spring; the
 * stores never see the web layer or the actuator; the web layer and the actuator see only
 * the store SPI ({@code dev.floodgate.store}, not a store of its own) and the rules, not each
 * other and not the auto-configuration that wires them.
 */
class PackageLayeringTests {

	private static JavaClasses classes;

	@BeforeAll
	static void importClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.floodgate");
	}

	@Test
	void coreSeesNoSpring() {
		ArchRule rule = noClasses().that()
			.resideInAPackage("dev.floodgate.core..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework..")
			.because("the rules are plain Java, for any store and any framework");
		rule.check(classes);
	}

	@Test
	void coreSeesNoOtherFloodgatePackage() {
		ArchRule rule = classes().that()
			.resideInAPackage("dev.floodgate.core..")
			.should()
			.onlyDependOnClassesThat(
					resideOutsideOfPackage("dev.floodgate..").or(resideInAnyPackage("dev.floodgate.core..")));
		rule.check(classes);
	}

	@Test
	void storesNeverSeeTheWebLayerTheActuatorOrTheWiring() {
		ArchRule rule = noClasses().that()
			.resideInAPackage("dev.floodgate.store..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.floodgate.web..", "dev.floodgate.actuate..", "dev.floodgate.autoconfigure..");
		rule.check(classes);
	}

	@Test
	void theWebLayerSeesOnlyTheStoreSpiAndCore() {
		ArchRule rule = classes().that()
			.resideInAPackage("dev.floodgate.web..")
			.should()
			.onlyDependOnClassesThat(resideOutsideOfPackage("dev.floodgate..").or(resideInAnyPackage("dev.floodgate",
					"dev.floodgate.web..", "dev.floodgate.store", "dev.floodgate.core..")))
			.because("the interceptor is wired by the auto-configuration and works with any store");
		rule.check(classes);
	}

	@Test
	void theActuatorSeesOnlyTheStoreSpiAndCore() {
		ArchRule rule = classes().that()
			.resideInAPackage("dev.floodgate.actuate..")
			.should()
			.onlyDependOnClassesThat(resideOutsideOfPackage("dev.floodgate..").or(resideInAnyPackage("dev.floodgate",
					"dev.floodgate.actuate..", "dev.floodgate.store", "dev.floodgate.core..")))
			.because("the endpoint gets what it shows from the auto-configuration and works with any store");
		rule.check(classes);
	}

}
