import Logging
import Messaging
import OTel
import ServiceLifecycle
import Tracing

/// OTLP/HTTP export of the services' spans (swift-otel), when the environment asks for it with
/// OpenTelemetry's own variables: `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`),
/// `OTEL_EXPORTER_OTLP_PROTOCOL` (http/protobuf, the only one built in),
/// `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME` (default: the service id),
/// `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`. Only traces: metrics stay on `/metrics`, logs on stdout.
enum TraceExport {
    /// Bootstraps the process's tracer and returns its background service (batching and
    /// export), which must run until after the rest has stopped so the last spans leave.
    static func bootstrap(service: String, logger: Logger) throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        WorkSpan.enable()
        return backend.service
    }
}
