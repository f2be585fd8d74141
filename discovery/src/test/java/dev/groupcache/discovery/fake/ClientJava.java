package dev.groupcache.discovery.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;

/** client-java 27 pointed at the fake, with bounded waits around its blocking calls. */
final class ClientJava {
    private static final ExecutorService WAITER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "client-java-wait");
        t.setDaemon(true);
        return t;
    });

    private ClientJava() {}

    /**
     * An ApiClient whose base path is the fake, as a kubeconfig would give it, with read timeout 0
     * (what the informer factory requires and what a watch needs) and, for a TLS fake, its CA.
     */
    static ApiClient client(FakeApiServer api) {
        ClientBuilder builder = new ClientBuilder().setBasePath(api.baseUrl()).setReadTimeout(Duration.ZERO);
        if (api.isTls()) {
            builder.setCertificateAuthority(api.caCertificatePem().getBytes(StandardCharsets.US_ASCII));
        }
        return builder.build();
    }

    static <T> Watch<T> watch(ApiClient client, Call call, Type type) throws ApiException {
        return Watch.createWatch(client, call, type);
    }

    /** {@code watch.next()} with a bound: on timeout the watch is closed (which unblocks the read). */
    static <T> Watch.Response<T> next(Watch<T> watch, Duration timeout) throws Exception {
        Future<Watch.Response<T>> f = WAITER.submit(watch::next);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            closeQuietly(watch);
            throw new AssertionError("no watch event within " + timeout, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }

    static void closeQuietly(Watch<?> watch) {
        try {
            watch.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Records informer callbacks as "ADD name@rv", "UPDATE name@rv", "DELETE name@rv". */
    static final class Recorder<T extends KubernetesObject> implements ResourceEventHandler<T> {
        private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        private static String describe(KubernetesObject o) {
            return o.getMetadata().getName() + "@" + o.getMetadata().getResourceVersion();
        }

        @Override
        public void onAdd(T obj) {
            events.add("ADD " + describe(obj));
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            events.add("UPDATE " + describe(newObj));
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            events.add("DELETE " + describe(obj));
        }

        String next(Duration timeout) throws InterruptedException {
            String e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                fail("no informer event within " + timeout);
            }
            return e;
        }

        void expect(String event, Duration timeout) throws InterruptedException {
            assertEquals(event, next(timeout));
        }

        /** Skips events (e.g. re-list updates) until {@code event}; fails if it does not come. */
        void awaitEvent(String event, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                String e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    fail("no " + event + " within " + timeout);
                }
                if (e.equals(event)) {
                    return;
                }
            }
        }

        void expectNothing(Duration quiet) throws InterruptedException {
            String e = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            if (e != null) {
                fail("unexpected informer event " + e);
            }
        }
    }
}
