FROM centos:7
MAINTAINER ops@example.com
RUN yum -y update && yum -y install java-11-openjdk-devel maven && yum clean all
RUN yum install -y wget tar gzip
ENV JAVA_HOME /usr/lib/jvm/java-11
ENV PATH $JAVA_HOME/bin:$PATH
WORKDIR /opt/app
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests
RUN cp target/*.jar /opt/app/app.jar
EXPOSE 8080
CMD java -jar /opt/app/app.jar
