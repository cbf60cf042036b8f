import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * One real OpenSearch node for tests and benchmarks, run as a single-file Java program.
 *
 * Arguments: base folder, HTTP port, cluster name. The node stops when standard input closes,
 * so it never outlives the process that started it, even one killed without clean-up.
 */
public class VisorNode {
    public static void main(String[] args) throws Exception {
        String basePath = args[0];
        int httpPort = Integer.parseInt(args[1]);
        String clusterName = args[2];
        OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((id, settings) -> {
            settings.put("http.port", httpPort);
            settings.put("network.host", "127.0.0.1");
            settings.put("transport.port", "0");
            // A shared machine's disk may be nearly full; tests must not turn read-only for it.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("action.auto_create_index", false);
        });
        runner.build(OpenSearchRunner.newConfigs()
                .basePath(basePath)
                .numOfNode(1)
                .clusterName(clusterName)
                .disableESLogger());
        System.out.println("visor-node: started on port " + httpPort);
        System.out.flush();
        while (System.in.read() != -1) {
            // Nothing is read from the parent; waiting for end of input is the point.
        }
        runner.close();
        System.exit(0);
    }
}
