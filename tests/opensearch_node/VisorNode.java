import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * One real OpenSearch node for tests and benchmarks, run as a single-file Java program.
 *
 * Arguments: base folder, HTTP port, cluster name, then any number of extra node settings as
 * key=value (a member of a multi-node cluster passes its node name, transport port, seed
 * hosts and the like; see tests/opensearch_cluster.py). Without extras the node is a
 * single-node cluster. The node stops when standard input closes, so it never outlives the
 * process that started it, even one killed without clean-up.
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
            for (int i = 3; i < args.length; i++) {
                int equals = args[i].indexOf('=');
                if (equals < 1) {
                    throw new IllegalArgumentException("not key=value: " + args[i]);
                }
                String key = args[i].substring(0, equals);
                String value = args[i].substring(equals + 1);
                // A list setting (seed hosts, initial cluster managers) is given comma-separated.
                if (key.equals("discovery.seed_hosts")
                        || key.equals("cluster.initial_cluster_manager_nodes")) {
                    settings.putList(key, value.split(","));
                } else {
                    settings.put(key, value);
                }
            }
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
