package org.jkn.telemetry.gateway.fhir;

import java.util.Date;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;
import org.jkn.telemetry.gateway.auth.OAuthEndpoints;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.LatestQuery;
import org.jkn.telemetry.store.query.StatisticsQuery;

/**
 * The server's CapabilityStatement: exactly the interactions and search parameters implemented
 * here.
 */
final class CapabilityStatements {

    private CapabilityStatements() {}

    /** SMART App Launch's extension for the OAuth endpoints in the security section. */
    static final String OAUTH_URIS =
            "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    static CapabilityStatement build(Date started, OAuthEndpoints oauth) {
        CapabilityStatement cs = new CapabilityStatement();
        cs.setStatus(Enumerations.PublicationStatus.ACTIVE);
        cs.setDate(started);
        cs.setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE);
        cs.setFhirVersion(Enumerations.FHIRVersion._4_0_1);
        cs.addFormat("application/fhir+json");
        cs.addFormat("application/fhir+xml");
        cs.getSoftware().setName("telemetry-gateway").setVersion(version());
        cs.getImplementation()
                .setDescription(
                        "Health telemetry from wearables and phones as FHIR R4 Observations");

        CapabilityStatementRestComponent rest = cs.addRest();
        rest.setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
        security(rest, oauth);
        observation(rest.addResource());
        patient(rest.addResource());
        consent(rest.addResource());
        auditEvent(rest.addResource());
        group(rest.addResource());
        return cs;
    }

    private static void security(CapabilityStatementRestComponent rest, OAuthEndpoints oauth) {
        // SMART App Launch: the service coding says tokens are SMART-style; the authorize and token
        // endpoints are the identity provider's, listed (as in /.well-known/smart-configuration)
        // only when configured
        if (oauth.token() != null) {
            Extension uris = rest.getSecurity().addExtension().setUrl(OAUTH_URIS);
            if (oauth.authorize() != null) {
                uris.addExtension("authorize", new UriType(oauth.authorize().toString()));
            }
            uris.addExtension("token", new UriType(oauth.token().toString()));
        }
        rest.getSecurity()
                .setCors(false)
                .addService()
                .addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/restful-security-service")
                .setCode("SMART-on-FHIR")
                .setDisplay("SMART-on-FHIR");
        rest.getSecurity()
                .setDescription(
                        "Bearer JWT (RS256 or ES256) from the configured identity provider, with SMART v2 scopes: "
                                + "patient/Observation.rs and patient/Observation.c for a patient's own data (claim patient), "
                                + "user/Observation.rs and user/Patient.rs for clinicians (claims fhirUser, organization), as consent allows");
    }

    private static void observation(CapabilityStatementRestResourceComponent obs) {
        obs.setType("Observation");
        obs.setProfile("http://hl7.org/fhir/StructureDefinition/Observation");
        for (ReadingType t : ReadingType.values()) {
            if (t.profile() != null) {
                obs.addSupportedProfile(t.profile());
            }
        }
        obs.addInteraction().setCode(TypeRestfulInteraction.READ);
        obs.addInteraction().setCode(TypeRestfulInteraction.SEARCHTYPE);
        obs.setReadHistory(false).setUpdateCreate(false);
        obs.addSearchParam()
                .setName("patient")
                .setType(Enumerations.SearchParamType.REFERENCE)
                .setDefinition("http://hl7.org/fhir/SearchParameter/clinical-patient")
                .setDocumentation(
                        "Required (or subject). The patient's id (a pseudonym), or Patient/{id}");
        obs.addSearchParam()
                .setName("subject")
                .setType(Enumerations.SearchParamType.REFERENCE)
                .setDefinition("http://hl7.org/fhir/SearchParameter/Observation-subject")
                .setDocumentation("Same as patient; only Patient subjects exist here");
        obs.addSearchParam()
                .setName("code")
                .setType(Enumerations.SearchParamType.TOKEN)
                .setDefinition("http://hl7.org/fhir/SearchParameter/clinical-code")
                .setDocumentation("LOINC code, [system|]code, comma-separated for any of several");
        obs.addSearchParam()
                .setName("date")
                .setType(Enumerations.SearchParamType.DATE)
                .setDefinition("http://hl7.org/fhir/SearchParameter/clinical-date")
                .setDocumentation(
                        "Prefixes eq, ne, gt, ge, lt, le, sa, eb, ap (a tenth of the distance from now); up to 4, all must match");
        observationFilters(obs);
        obs.addSearchParam()
                .setName("_count")
                .setType(Enumerations.SearchParamType.NUMBER)
                .setDocumentation(
                        "Page size, 0-"
                                + SearchParams.MAX_COUNT
                                + ", default "
                                + SearchParams.DEFAULT_COUNT);
        obs.addSearchParam()
                .setName("_offset")
                .setType(Enumerations.SearchParamType.NUMBER)
                .setDocumentation(
                        "Paging offset, 0-"
                                + SearchParams.MAX_OFFSET
                                + "; follow the Bundle's next link rather than building it");
        obs.addSearchParam()
                .setName("_sort")
                .setType(Enumerations.SearchParamType.STRING)
                .setDocumentation("date or -date (default, newest first)");
        observationOperations(obs);
    }

    /** $lastn and $stats as R4 defines them; docs/fhir-api.md says what is supported of each. */
    private static void observationOperations(CapabilityStatementRestResourceComponent obs) {
        obs.addOperation()
                .setName("lastn")
                .setDefinition("http://hl7.org/fhir/OperationDefinition/Observation-lastn")
                .setDocumentation(
                        "patient or subject, category and/or code, max (1-"
                                + LatestQuery.MAX
                                + ", default 1); grouped by reading type; GET or POST");
        obs.addOperation()
                .setName("stats")
                .setDefinition("http://hl7.org/fhir/OperationDefinition/Observation-stats")
                .setDocumentation(
                        "subject, code (+ system) and/or coding, duration or period (at most "
                                + StatsParams.MAX_DAYS
                                + " days), statistic; extension interval (ISO-8601 duration, at least PT1M, at most "
                                + StatisticsQuery.MAX_BUCKETS
                                + " intervals): one result per interval; GET or POST");
    }

    /** The Observation search parameters beyond patient, code and date, and the result shapers. */
    private static void observationFilters(CapabilityStatementRestResourceComponent obs) {
        obs.addSearchParam()
                .setName("category")
                .setType(Enumerations.SearchParamType.TOKEN)
                .setDefinition("http://hl7.org/fhir/SearchParameter/Observation-category")
                .setDocumentation(
                        "observation-category code, [system|]code, comma-separated for any of several");
        obs.addSearchParam()
                .setName("identifier")
                .setType(Enumerations.SearchParamType.TOKEN)
                .setDefinition("http://hl7.org/fhir/SearchParameter/clinical-identifier")
                .setDocumentation(
                        "system|value: urn:telemetry:device:{device id, percent-encoded}:reading and the reading id as sent");
        obs.addSearchParam()
                .setName("value-quantity")
                .setType(Enumerations.SearchParamType.QUANTITY)
                .setDefinition("http://hl7.org/fhir/SearchParameter/Observation-value-quantity")
                .setDocumentation(
                        "[prefix]number[|http://unitsofmeasure.org|code], prefixes as for date; up to 4, one unit");
        obs.addSearchParam()
                .setName("_summary")
                .setType(Enumerations.SearchParamType.TOKEN)
                .setDocumentation("count, true, text, data or false");
        obs.addSearchParam()
                .setName("_elements")
                .setType(Enumerations.SearchParamType.STRING)
                .setDocumentation("Top-level Observation elements, comma-separated");
        obs.addSearchParam()
                .setName("_total")
                .setType(Enumerations.SearchParamType.TOKEN)
                .setDocumentation(
                        "none, estimate (the default: known when one page holds every match) or accurate");
    }

    private static void patient(CapabilityStatementRestResourceComponent patient) {
        patient.setType("Patient");
        patient.setProfile("http://hl7.org/fhir/StructureDefinition/Patient");
        patient.addInteraction().setCode(TypeRestfulInteraction.READ);
        patient.addInteraction().setCode(TypeRestfulInteraction.SEARCHTYPE);
        patient.addInteraction()
                .setCode(TypeRestfulInteraction.DELETE)
                .setDocumentation(
                        "Erasure: destroys the patient's data keys (every reading unreadable at once); rows are deleted later");
        patient.addSearchParam()
                .setName("identifier")
                .setType(Enumerations.SearchParamType.TOKEN)
                .setDefinition("http://hl7.org/fhir/SearchParameter/Patient-identifier")
                .setDocumentation("https://fhir.kemkes.go.id/id/nik|{NIK}");
        patient.addOperation()
                .setName("export")
                .setDefinition(BULK_DATA + "patient-export")
                .setDocumentation(
                        "Patient/$export (every patient the token may see) or Patient/{id}/$export (one), "
                                + "asynchronous (Prefer: respond-async); _outputFormat ndjson, _since, _type Patient,Observation");
    }

    /** Bulk Data Access IG v2 (see docs/fhir-api.md#bulk-export-export). */
    private static final String BULK_DATA = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/";

    private static void group(CapabilityStatementRestResourceComponent group) {
        group.setType("Group");
        group.setDocumentation(
                "Group/{organization id}: the patients whose active consent discloses data to that "
                        + "Organization; only its $export, for a clinician of the organization");
        group.addOperation()
                .setName("export")
                .setDefinition(BULK_DATA + "group-export")
                .setDocumentation(
                        "Asynchronous (Prefer: respond-async); _outputFormat ndjson, _since, _type Patient,Observation");
    }

    private static void consent(CapabilityStatementRestResourceComponent consent) {
        consent.setType("Consent");
        consent.setProfile("http://hl7.org/fhir/StructureDefinition/Consent");
        consent.setDocumentation(
                "Patient-privacy consents per data category (activity, body, cycle, sleep, vitals of "
                        + "https://telemetry.example/fhir/CodeSystem/data-category): root provision deny, nested permits with "
                        + "action collect, access or disclose; see docs/consent.md");
        consent.addInteraction().setCode(TypeRestfulInteraction.CREATE);
        consent.addInteraction().setCode(TypeRestfulInteraction.UPDATE);
        consent.addInteraction().setCode(TypeRestfulInteraction.READ);
        consent.addInteraction().setCode(TypeRestfulInteraction.DELETE);
        consent.addInteraction().setCode(TypeRestfulInteraction.SEARCHTYPE);
        consent.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
        consent.setReadHistory(false).setUpdateCreate(false);
        consent.addSearchParam()
                .setName("patient")
                .setType(Enumerations.SearchParamType.REFERENCE)
                .setDefinition("http://hl7.org/fhir/SearchParameter/clinical-patient")
                .setDocumentation("Required. The patient's id (a pseudonym), or Patient/{id}");
    }

    private static void auditEvent(CapabilityStatementRestResourceComponent audit) {
        audit.setType("AuditEvent");
        audit.setProfile("http://hl7.org/fhir/StructureDefinition/AuditEvent");
        audit.setDocumentation(
                "Every read and search of health data, consent change and erasure. A patient sees the events "
                        + "about them; an administrator any; clinicians none");
        audit.addInteraction().setCode(TypeRestfulInteraction.READ);
        audit.addInteraction().setCode(TypeRestfulInteraction.SEARCHTYPE);
        audit.setReadHistory(false).setUpdateCreate(false);
        audit.addSearchParam()
                .setName("patient")
                .setType(Enumerations.SearchParamType.REFERENCE)
                .setDefinition("http://hl7.org/fhir/SearchParameter/AuditEvent-patient")
                .setDocumentation(
                        "The patient the events are about; a patient's token implies its own");
        audit.addSearchParam()
                .setName("date")
                .setType(Enumerations.SearchParamType.DATE)
                .setDefinition("http://hl7.org/fhir/SearchParameter/AuditEvent-date")
                .setDocumentation(
                        "When recorded; prefixes eq, ne, gt, ge, lt, le, sa, eb, ap; up to 4, all must match");
        audit.addSearchParam()
                .setName("_count")
                .setType(Enumerations.SearchParamType.NUMBER)
                .setDocumentation(
                        "Page size, 0-"
                                + SearchParams.MAX_COUNT
                                + ", default "
                                + SearchParams.DEFAULT_COUNT);
        audit.addSearchParam()
                .setName("_offset")
                .setType(Enumerations.SearchParamType.NUMBER)
                .setDocumentation("Paging offset; follow the Bundle's next link");
        audit.addSearchParam()
                .setName("_sort")
                .setType(Enumerations.SearchParamType.STRING)
                .setDocumentation("-date only: newest first");
    }

    private static String version() {
        String v = CapabilityStatements.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
