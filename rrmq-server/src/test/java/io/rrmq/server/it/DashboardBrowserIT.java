package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser (Debian's headless Chromium, driven by Selenium) against a real
 * 3-node cluster: the page loads without a console error, shows three members and one Leader,
 * follows a topic's depth through puts and pops and the search box, and shows a new leader after
 * the leader is killed. Screenshots go to {@code target/dashboard*.png}.
 *
 * <p>Skipped, saying why, only when Chromium or its driver is not installed ({@code .ci/run}
 * installs both: {@code apt-get install chromium chromium-driver}).
 */
class DashboardBrowserIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final Path CHROMIUM = Path.of(System.getProperty("rrmq.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("rrmq.chromedriver", "/usr/bin/chromedriver"));

    @TempDir
    Path work;

    private ClusterProcesses cluster;
    private WebDriver browser;

    @AfterEach
    void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private WebDriver startBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: no Chromium at " + CHROMIUM + " or no driver at " + CHROMEDRIVER
                        + " (apt-get install chromium chromium-driver, as .ci/run does)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--user-data-dir=" + Files.createDirectories(work.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /**
     * The member rows as {@code "id:role"}, read in one script: the page redraws its tables every
     * second, so elements found in one call may be gone (stale) by the next.
     */
    @SuppressWarnings("unchecked")
    private List<String> members() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#members tbody tr'))"
                        + ".map(r => r.dataset.id + ':' + r.dataset.role);");
    }

    private List<String> membersWithRole(String role) {
        return members().stream().filter(m -> m.endsWith(":" + role)).toList();
    }

    /** The depth the page shows for {@code topic}, or null if it lists no such topic. */
    private String depthShown(String topic) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "const row = Array.from(document.querySelectorAll('#topics tbody tr'))"
                        + ".find(r => r.dataset.topic === arguments[0]);"
                        + "return row ? row.querySelector('td.depth').textContent : null;", topic);
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("DashboardBrowserIT: screenshot " + target.toAbsolutePath());
    }

    @Test
    void showsTheClusterFollowsTopicsAndANewLeader() throws Exception {
        cluster = ClusterProcesses.create(3, work, "DashboardBrowserIT");
        cluster.startAll();
        browser = startBrowser();
        cluster.awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        NodeProcess served = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();

        long opened = System.nanoTime();
        browser.get(served.url() + "/ui");
        await().atMost(START).until(() -> members().size() == 3 && membersWithRole("Leader").size() == 1);
        long firstRenderMillis = (System.nanoTime() - opened) / 1_000_000;
        List<String> shown = members();
        assertThat(shown).filteredOn(m -> m.endsWith(":Leader")).containsExactly(leader.index() + ":Leader");
        assertThat(shown).filteredOn(m -> m.endsWith(":Follower")).hasSize(2);

        ApiClient api = new ApiClient(leader.url());
        assertThat(api.createTopic("orders").statusCode()).isEqualTo(200);
        assertThat(api.createTopic("invoices").statusCode()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(api.putMessage("orders", "o" + i).statusCode()).isEqualTo(200);
        }
        await().atMost(START).until(() -> "5".equals(depthShown("orders")));
        for (int i = 0; i < 2; i++) {
            assertThat(api.popMessage("orders").statusCode()).isEqualTo(200);
        }
        await().atMost(START).until(() -> "3".equals(depthShown("orders")));
        assertThat(depthShown("invoices")).isEqualTo("0");

        WebElement search = browser.findElement(By.id("topic-search"));
        search.sendKeys("INVO");
        await().atMost(START).until(() -> depthShown("orders") == null && "0".equals(depthShown("invoices")));
        search.clear();
        search.sendKeys("orders");
        await().atMost(START).until(() -> "3".equals(depthShown("orders")) && depthShown("invoices") == null);
        screenshot("dashboard.png");

        leader.kill();
        await().atMost(START).until(() -> {
            List<String> now = members();
            List<String> leaders = now.stream().filter(m -> m.endsWith(":Leader")).toList();
            return leaders.size() == 1 && !leaders.get(0).equals(leader.index() + ":Leader")
                    && now.contains(leader.index() + ":Unreachable");
        });
        screenshot("dashboard-after-failover.png");

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("console errors").isEmpty();
        System.out.printf("DashboardBrowserIT: first render %d ms after navigation%n", firstRenderMillis);
    }
}
