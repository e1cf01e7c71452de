FROM centos:7
RUN yum install -y httpd
RUN yum update -y
RUN dnf install -y nginx
RUN zypper install -y vim
EXPOSE 80 443
CMD ["/usr/sbin/httpd", "-D", "FOREGROUND"]
