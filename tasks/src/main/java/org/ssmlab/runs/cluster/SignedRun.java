package org.ssmlab.runs.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * What travels to a member: one signed run request ({@link RunMessages#request}) and nothing else, no
 * code. On the member it hands the text to the {@link Worker} of that member, which verifies and runs it,
 * and returns the signed reply. The only class a member deserializes from the network (its Java
 * serialization filter allows this one).
 */
public final class SignedRun implements Callable<String>, Serializable, HazelcastInstanceAware {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String message;
    private transient HazelcastInstance member;

    /** The task that carries {@code message}. */
    public SignedRun(String message) {
        this.message = message;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.member = instance;
    }

    @Override
    public String call() {
        Object w = member == null ? null : member.getUserContext().get(Worker.CONTEXT_KEY);
        if (!(w instanceof Worker worker)) {
            throw new IllegalStateException("this member is not an ssmlab worker");
        }
        return worker.handle(message);
    }
}
